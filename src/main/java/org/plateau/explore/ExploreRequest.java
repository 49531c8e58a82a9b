package org.plateau.explore;

import org.plateau.experiment.PerturbationSettings;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;

/**
 * What the user asked the explorer for.
 *
 * @param baseTokens the prompt to perturb
 * @param targetTokens the target prompt of model-generated and SAE-reconstruction targets, or null to draw one
 * @param seed what target draws come from (a new seed redraws the target)
 * @param settings how perturbations are made and measured
 * @param latent ablate-latent: the base latent removed (−1: the strongest)
 */
public record ExploreRequest(int[] baseTokens, TargetType type, int[] targetTokens, StepMode mode, long seed,
        PerturbationSettings settings, int latent) {

    public ExploreRequest(int[] baseTokens, TargetType type, int[] targetTokens, StepMode mode, long seed,
            PerturbationSettings settings) {
        this(baseTokens, type, targetTokens, mode, seed, settings, -1);
    }

    /** The sweep from the same base toward the ablation of one of its latents. */
    public ExploreRequest ablating(int k) {
        return new ExploreRequest(baseTokens, TargetType.ABLATE_LATENT, null, mode, seed, settings, k);
    }
}
