package org.plateau.explore;

import java.util.List;

/**
 * What the read layer does across a blow-up, through a second SAE trained at the read hook: its code
 * unperturbed (step 0) and at a chosen step, what changed from the step before the MS step to the
 * step after it, and a strip of the latents that ever rank among the strongest, step by step.
 *
 * @param hook the read hook
 * @param ms the MS step of L2 the changes are taken around
 * @param unperturbed the read-layer code at step 0, strongest first
 * @param atStep the read-layer code at {@code step}
 * @param aroundMs latents that switched on, switched off, or changed most from MS − 1 to MS + 1
 * @param strip every step's value of the latents that rank among the strongest at some step
 */
public record ReadLayerView(String hook, int step, int ms, List<LatentView.Bar> unperturbed, List<LatentView.Bar> atStep,
        List<Change> aroundMs, Strip strip) {

    /** How a latent changed across the blow-up. */
    public enum Kind { ON, OFF, CHANGED }

    /** One latent from MS − 1 ({@code before}) to MS + 1 ({@code after}). */
    public record Change(int latent, Kind kind, double before, double after) {}

    /**
     * @param latents the rows, in the order each first enters the strongest
     * @param values values[row][step], zero where the latent is off
     * @param top how many strongest latents per step decide the rows
     */
    public record Strip(int[] latents, double[][] values, int top) {}
}
