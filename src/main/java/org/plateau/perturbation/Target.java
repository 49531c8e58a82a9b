package org.plateau.perturbation;

import org.plateau.sae.Latent;
import org.plateau.sae.SyntheticActivations;

/**
 * A target activation and where it came from.
 *
 * @param type its kind
 * @param activation the vector
 * @param tokens the prompt it was computed from (model-generated, SAE reconstruction), else null
 * @param synthesis how it was composed of SAE latents (synthetic types), else null
 * @param ablated the base's latent removed, with its value (ablate-latent), else null
 */
public record Target(TargetType type, float[] activation, int[] tokens, SyntheticActivations.Synthesis synthesis,
        Latent ablated) {

    /** A target that is neither composed of latents nor an ablation. */
    public Target(TargetType type, float[] activation, int[] tokens) {
        this(type, activation, tokens, null, null);
    }
}
