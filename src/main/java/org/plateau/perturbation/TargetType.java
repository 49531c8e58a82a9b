package org.plateau.perturbation;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.plateau.PlateauException;

/** The kinds of target activation (METHOD §4): the paper's seven, and Plateau's extension. */
public enum TargetType {
    MODEL_GENERATED("model-generated", "Model-generated", false),
    RANDOM("random", "Random (Gaussian)", false),
    SYNTHETIC_RANDOM("synthetic-random", "Synthetic, random latents", true),
    SYNTHETIC_BASELINE("synthetic-baseline", "Synthetic, baseline", true),
    SYNTHETIC_STRUCTURED("synthetic-structured", "Synthetic, structured", true),
    SYNTHETIC_STRUCTURED_NO_COS("synthetic-structured-no-cos", "Synthetic, structured without cos", true),
    SAE_RECONSTRUCTION("sae-reconstruction", "SAE reconstruction", true),
    /** METHOD §4.8: Plateau's extension, not the paper's. */
    SYNTHETIC_COOCCURRENCE("synthetic-cooccurrence", "Synthetic, co-occurrence (Plateau)", true),
    /** METHOD §4.9: the base with one latent removed (its strongest unless one is named); Plateau's extension. */
    ABLATE_LATENT("ablate-latent", "Ablation of a base latent (Plateau)", true);

    private final String id;
    private final String label;
    private final boolean needsSae;

    TargetType(String id, String label, boolean needsSae) {
        this.id = id;
        this.label = label;
        this.needsSae = needsSae;
    }

    /** The name used on the command line and in result files. */
    public String id() {
        return id;
    }

    /** The name shown to people. */
    public String label() {
        return label;
    }

    public boolean needsSae() {
        return needsSae;
    }

    /** Whether the type is Plateau's own, beyond the paper (reports say so). */
    public boolean extension() {
        return this == SYNTHETIC_COOCCURRENCE || this == ABLATE_LATENT;
    }

    /**
     * The types a study ({@code reproduce}, {@code layers}) runs: the paper's and the co-occurrence
     * synthesis; an ablation answers another question (what one latent does) and is run on its own.
     */
    public static java.util.List<TargetType> studied() {
        return Arrays.stream(values()).filter(t -> t != ABLATE_LATENT).toList();
    }

    /** The paper's seven types, without Plateau's extension: a study of the paper's types only. */
    public static java.util.List<TargetType> paper() {
        return studied().stream().filter(t -> !t.extension()).toList();
    }

    /** Whether making one needs the firing statistics of the statistics activations' SAE codes. */
    public boolean needsFirings() {
        return this == SYNTHETIC_COOCCURRENCE;
    }

    /** Whether a target of this type can come from a given prompt (model-generated, and its SAE reconstruction). */
    public boolean fromPrompt() {
        return this == MODEL_GENERATED || this == SAE_RECONSTRUCTION;
    }

    public static TargetType parse(String s) {
        for (TargetType t : values()) {
            if (t.id.equals(s)) {
                return t;
            }
        }
        throw new PlateauException("Unknown target type '" + s + "': use one of "
                + Arrays.stream(values()).map(TargetType::id).collect(Collectors.joining(", ")) + ".");
    }
}
