package org.plateau.perturbation;

import org.plateau.sae.SyntheticActivations;

/**
 * A target activation and where it came from.
 *
 * @param type its kind
 * @param activation the vector
 * @param tokens the prompt it was computed from (model-generated, SAE reconstruction), else null
 * @param synthesis how it was composed of SAE latents (synthetic types), else null
 */
public record Target(TargetType type, float[] activation, int[] tokens, SyntheticActivations.Synthesis synthesis) {}
