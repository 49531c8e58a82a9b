package org.plateau.experiment;

import org.plateau.perturbation.Curve;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.MetricValues;
import org.plateau.perturbation.SweepSettings;
import org.plateau.perturbation.Target;
import org.plateau.perturbation.TargetType;

/**
 * One perturbation, swept and measured: what every front end shows and every record stores.
 *
 * @param baseTokens the prompt whose last position was perturbed
 * @param baseType what the base activation is (model-generated, or a plateau base type)
 * @param target the target and where it came from (null for a perturbation shown as recorded)
 * @param base the base activation A (null for a perturbation shown as recorded)
 * @param sweep how it stepped
 * @param curve L2 and KL per step
 * @param metrics every metric of the curve
 * @param apThreshold the L2 level of the activation plateau
 * @param distance ‖T − A‖
 */
public record Perturbed(int[] baseTokens, TargetType baseType, TargetType targetType, Target target, float[] base,
        SweepSettings sweep, Curve curve, MetricValues metrics, double apThreshold, double distance) {

    public int metric(Metric m) {
        return metrics.get(m);
    }

    /** Whether the vectors are at hand (not a perturbation shown as recorded), so that latents can be shown. */
    public boolean hasVectors() {
        return base != null && target != null && target.activation() != null;
    }
}
