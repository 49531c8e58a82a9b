package org.plateau.explore;

import java.util.List;

/**
 * The SAE latents around one step of a perturbation: of the base, the target and the perturbed
 * activation at that step, and which latents switched on or off between step 0 and it.
 */
public record LatentView(int step, List<Bar> base, List<Bar> target, List<Bar> perturbed, List<Bar> switchedOn,
        List<Bar> switchedOff) {

    /**
     * One latent of one activation.
     *
     * @param value its value z
     * @param logSparsity log10 of how often it fires
     * @param cosToTop cosine of its decoder row with that of the activation's strongest latent
     */
    public record Bar(int latent, double value, double logSparsity, double cosToTop) {}
}
