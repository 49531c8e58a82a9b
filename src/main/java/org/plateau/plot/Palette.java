package org.plateau.plot;

import java.awt.Color;
import org.plateau.perturbation.TargetType;

/**
 * One colour per activation type, the same in every figure and in the app (Okabe–Ito colours,
 * distinguishable with the common forms of colour blindness). Model-generated activations, the
 * reference everything is compared with, are near-black.
 */
public final class Palette {

    private Palette() {}

    public static String hex(TargetType t) {
        return switch (t) {
            case MODEL_GENERATED -> "#222222";
            case RANDOM -> "#E69F00";
            case SYNTHETIC_RANDOM -> "#56B4E9";
            case SYNTHETIC_BASELINE -> "#009E73";
            case SYNTHETIC_STRUCTURED -> "#D55E00";
            case SYNTHETIC_STRUCTURED_NO_COS -> "#CC79A7";
            case SAE_RECONSTRUCTION -> "#0072B2";
            // Okabe–Ito's yellow, darkened to be seen on white
            case SYNTHETIC_COOCCURRENCE -> "#B09A00";
            case ABLATE_LATENT -> "#999999";
        };
    }

    public static Color color(TargetType t) {
        return Color.decode(hex(t));
    }
}
