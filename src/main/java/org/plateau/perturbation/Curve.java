package org.plateau.perturbation;

import org.plateau.metrics.BlowupMetrics;

/**
 * The response to one sweep, one value per step n = 0..N.
 *
 * @param l2 ‖post(n) − post(0)‖₂ at the read hook, last position
 * @param kl KL(p₀ ‖ pₙ) of the next-token distribution, p₀ unperturbed
 */
public record Curve(double[] l2, double[] kl) {

    public int msL2() {
        return BlowupMetrics.maxSlope(l2);
    }

    public int msKl() {
        return BlowupMetrics.maxSlope(kl);
    }

    public int aucL2() {
        return BlowupMetrics.auc(l2);
    }

    public int nlL2() {
        return BlowupMetrics.nonLinearity(l2);
    }

    public int apL2(double threshold) {
        return BlowupMetrics.activationPlateau(l2, threshold);
    }
}
