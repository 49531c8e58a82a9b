package org.plateau.perturbation;

/**
 * The response to one sweep, one value per step n = 0..N.
 *
 * @param l2 ‖post(n) − post(0)‖₂ at the read hook, last position
 * @param kl KL(p₀ ‖ pₙ) of the next-token distribution, p₀ unperturbed
 * @param reads post(n) itself, the read hook's activation at each step, when asked for (what a read-layer
 *     SAE encodes); else null
 */
public record Curve(double[] l2, double[] kl, float[][] reads) {

    public Curve(double[] l2, double[] kl) {
        this(l2, kl, null);
    }


    /** A curve is numbers: a step that left float range is refused here, never summarised. */
    public Curve {
        if (l2.length != kl.length) {
            throw new IllegalArgumentException("L2 and KL of different lengths");
        }
        for (int n = 0; n < l2.length; n++) {
            if (!Double.isFinite(l2[n]) || !Double.isFinite(kl[n])) {
                throw new org.plateau.PlateauException("The sweep left the range of numbers the model can compute at step "
                        + n + " (its " + (Double.isFinite(l2[n]) ? "KL" : "L2") + " is not a finite number); use a"
                        + " smaller step size or fewer steps.");
            }
        }
    }
}
