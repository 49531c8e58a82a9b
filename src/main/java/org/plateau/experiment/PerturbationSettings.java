package org.plateau.experiment;

import org.plateau.perturbation.Paper;
import org.plateau.PlateauException;
import org.plateau.model.Gpt2Config;
import org.plateau.model.HookPoint;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.SweepSettings;

/**
 * How perturbations are made and measured, declared once for every front end: the command
 * line's options, the window's controls, a study's settings and a batch all hold one of these.
 *
 * @param hook where the last position is perturbed
 * @param read where the response is measured
 * @param stepSize s of absolute steps (the paper: 0.5)
 * @param steps N: a sweep has N + 1 points (the paper: 100)
 * @param apThreshold the L2 level that ends the activation plateau (the paper: 20)
 * @param targetCos c* of structured synthesis (the paper: 0.42)
 * @param statsActivations activations behind random targets' μ and Σ (the paper: 32000)
 */
public record PerturbationSettings(HookPoint hook, HookPoint read, double stepSize, int steps, double apThreshold,
        double targetCos, int statsActivations) {

    public PerturbationSettings {
        if (!(apThreshold > 0) || Double.isInfinite(apThreshold)) {
            throw new PlateauException("--ap-threshold must be positive, not " + apThreshold + ".");
        }
        if (!(targetCos >= -1 && targetCos <= 1)) {
            throw new PlateauException("--target-cos must lie between -1 and 1, not " + targetCos + ".");
        }
        Lab.checkStatsActivations(statsActivations);
        // the step settings, checked once, with the error a user would see from a sweep
        new SweepSettings(hook, read, StepMode.ABSOLUTE, stepSize, steps);
    }

    /** The paper's settings for a model of this shape. */
    public static PerturbationSettings paper(Gpt2Config c) {
        return new PerturbationSettings(HookPoint.defaultPerturbed(c.nLayer()), HookPoint.defaultRead(c.nLayer()),
                Paper.STEP_SIZE, Paper.STEPS, Paper.AP_THRESHOLD,
                Paper.TARGET_COS, Paper.STATS_ACTIVATIONS);
    }

    /** One sweep's settings in a step mode. */
    public SweepSettings sweep(StepMode mode) {
        return new SweepSettings(hook, read, mode, stepSize, steps);
    }

    public PerturbationSettings withHooks(HookPoint newHook, HookPoint newRead) {
        return new PerturbationSettings(newHook, newRead, stepSize, steps, apThreshold, targetCos, statsActivations);
    }

    public PerturbationSettings withStepSize(double s) {
        return new PerturbationSettings(hook, read, s, steps, apThreshold, targetCos, statsActivations);
    }

    public PerturbationSettings withApThreshold(double t) {
        return new PerturbationSettings(hook, read, stepSize, steps, t, targetCos, statsActivations);
    }

    public PerturbationSettings withTargetCos(double c) {
        return new PerturbationSettings(hook, read, stepSize, steps, apThreshold, c, statsActivations);
    }

    public PerturbationSettings withStatsActivations(int n) {
        return new PerturbationSettings(hook, read, stepSize, steps, apThreshold, targetCos, n);
    }
}
