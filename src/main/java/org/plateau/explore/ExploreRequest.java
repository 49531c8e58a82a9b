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
 */
public record ExploreRequest(int[] baseTokens, TargetType type, int[] targetTokens, StepMode mode, long seed,
        PerturbationSettings settings) {}
