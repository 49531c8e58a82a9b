package org.plateau.perturbation;

import org.plateau.PlateauException;
import org.plateau.model.HookPoint;

/**
 * One sweep's settings.
 *
 * @param hook where the last position is perturbed (default {@code blocks.1.hook_resid_pre})
 * @param read where the response is measured (default the last block's {@code hook_resid_post})
 * @param mode absolute or relative steps
 * @param stepSize s of absolute steps (the paper: 0.5); unused by relative steps
 * @param steps N: the sweep has N + 1 points, n = 0..N (the paper: 100)
 */
public record SweepSettings(HookPoint hook, HookPoint read, StepMode mode, double stepSize, int steps) {

    public SweepSettings {
        if (read.index() < hook.index()) {
            throw new PlateauException("The read hook " + read + " comes before the perturbed hook " + hook + ".");
        }
        if (!(stepSize > 0) || Double.isInfinite(stepSize)) {
            throw new PlateauException("The step size must be a positive number, not " + stepSize + ".");
        }
        if (steps < 10 || steps > 10_000) {
            throw new PlateauException("A sweep needs between 10 and 10000 steps, not " + steps + ".");
        }
    }

    /** The paper's settings for a model of {@code nLayer} blocks. */
    public static SweepSettings defaults(int nLayer, StepMode mode) {
        return new SweepSettings(HookPoint.defaultPerturbed(nLayer), HookPoint.defaultRead(nLayer), mode,
                Paper.STEP_SIZE, Paper.STEPS);
    }

    public SweepSettings withMode(StepMode m) {
        return new SweepSettings(hook, read, m, stepSize, steps);
    }

    /** (T − A)/‖T − A‖, computed in float64. */
    public static float[] unitDirection(float[] base, float[] target) {
        double norm = 0;
        for (int i = 0; i < base.length; i++) {
            double d = (double) target[i] - base[i];
            norm += d * d;
        }
        norm = Math.sqrt(norm);
        if (norm == 0) {
            throw new PlateauException("The target equals the base activation, so there is no direction to step in.");
        }
        float[] unit = new float[base.length];
        for (int i = 0; i < base.length; i++) {
            unit[i] = (float) (((double) target[i] - base[i]) / norm);
        }
        return unit;
    }

    /** The single point A(n) of the sweep (what the latent breakdown of step n looks at). */
    public float[] point(float[] base, float[] target, int n) {
        if (n < 0 || n > steps) {
            throw new PlateauException("Step " + n + " is outside the sweep (0 to " + steps + ").");
        }
        float[] out = new float[base.length];
        if (mode == StepMode.ABSOLUTE) {
            float[] unit = unitDirection(base, target);
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (base[i] + stepSize * n * unit[i]);
            }
        } else {
            double f = (double) n / steps;
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) ((1.0 - f) * base[i] + f * target[i]);
            }
        }
        return out;
    }

    /** The points A(0..N) of the sweep from base to target (the definition; sweeps build it on the device). */
    public float[][] path(float[] base, float[] target) {
        int d = base.length;
        double[] delta = new double[d];
        double norm = 0;
        for (int i = 0; i < d; i++) {
            delta[i] = (double) target[i] - base[i];
            norm += delta[i] * delta[i];
        }
        norm = Math.sqrt(norm);
        if (mode == StepMode.ABSOLUTE && norm == 0) {
            throw new PlateauException("The target equals the base activation, so there is no direction to step in.");
        }
        float[][] points = new float[steps + 1][d];
        for (int n = 0; n <= steps; n++) {
            for (int i = 0; i < d; i++) {
                double x = mode == StepMode.ABSOLUTE
                        ? base[i] + stepSize * n * delta[i] / norm
                        : (1.0 - (double) n / steps) * base[i] + ((double) n / steps) * target[i];
                points[n][i] = (float) x;
            }
        }
        return points;
    }
}
