package org.plateau.reference;

/**
 * Perturbation sweeps and their blow-up metrics in float64, from METHOD §2 and §5, for the tests.
 * Every step runs the reference model's last position again; nothing is batched or cached beyond
 * what causal attention makes exact.
 */
public final class ReferenceSweeps {

    private ReferenceSweeps() {}

    /** L2 and KL per step. */
    public record Curve(double[] l2, double[] kl) {}

    /**
     * The sweep from {@code base} toward {@code target} at point {@code hook}, read at point
     * {@code read}: absolute steps A + s·n·(T − A)/‖T − A‖, or relative (1 − n/N)·A + (n/N)·T.
     */
    public static Curve sweep(ReferenceGpt2.Prompt prompt, int hook, int read, double[] base, double[] target,
            boolean absolute, double stepSize, int steps) {
        int d = base.length;
        double norm = 0;
        for (int i = 0; i < d; i++) {
            norm += (target[i] - base[i]) * (target[i] - base[i]);
        }
        norm = Math.sqrt(norm);
        double[][] reads = new double[steps + 1][];
        double[][] logProbs = new double[steps + 1][];
        final double n0 = norm;
        java.util.stream.IntStream.rangeClosed(0, steps).parallel().forEach(n -> {
            double[] x = new double[d];
            for (int i = 0; i < d; i++) {
                x[i] = absolute ? base[i] + stepSize * n * (target[i] - base[i]) / n0
                        : (1 - (double) n / steps) * base[i] + ((double) n / steps) * target[i];
            }
            ReferenceGpt2.Patched p = prompt.patched(hook, x);
            reads[n] = p.resid()[read];
            logProbs[n] = p.logProbs();
        });
        double[] l2 = new double[steps + 1];
        double[] kl = new double[steps + 1];
        for (int n = 0; n <= steps; n++) {
            double s = 0;
            for (int i = 0; i < d; i++) {
                s += (reads[n][i] - reads[0][i]) * (reads[n][i] - reads[0][i]);
            }
            l2[n] = Math.sqrt(s);
            double k = 0;
            for (int v = 0; v < logProbs[0].length; v++) {
                k += Math.exp(logProbs[0][v]) * (logProbs[0][v] - logProbs[n][v]);
            }
            kl[n] = k;
        }
        return new Curve(l2, kl);
    }

    /** argmax_i v[i+1] − v[i] (first of equals). */
    public static int maxSlope(double[] v) {
        int best = 0;
        for (int i = 0; i + 1 < v.length; i++) {
            if (v[i + 1] - v[i] > v[best + 1] - v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The largest slope minus the runner-up: small gaps are near-ties where rounding may pick either. */
    public static double maxSlopeMargin(double[] v) {
        double first = Double.NEGATIVE_INFINITY;
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i + 1 < v.length; i++) {
            double s = v[i + 1] - v[i];
            if (s > first) {
                second = first;
                first = s;
            } else if (s > second) {
                second = s;
            }
        }
        return first - second;
    }

    /** METHOD §5's AUC step: 5 + argmax over r_6..r_N of (v[i−1]·i/2) / trapezoid area of v[0..i−1]. */
    public static int auc(double[] v) {
        int n = v.length - 1;
        double[] r = new double[n + 1];
        for (int i = 1; i <= n; i++) {
            double area = 0;
            for (int k = 0; k + 1 <= i - 1; k++) {
                area += (v[k] + v[k + 1]) / 2;
            }
            r[i] = area == 0 ? 0 : v[i - 1] * i / 2 / area;
        }
        int best = 6;
        for (int i = 7; i <= n; i++) {
            if (r[i] > r[best]) {
                best = i;
            }
        }
        return best - 1;
    }

    /** First i ≥ 10 with |v[i] − line(i)| / line(i) > 10 % for the line through steps 0 and 9; N + 1 if none. */
    public static int nonLinearity(double[] v) {
        for (int i = 10; i < v.length; i++) {
            double line = v[0] + (v[9] - v[0]) / 9 * i;
            if (Math.abs(v[i] - line) / line > 0.10) {
                return i;
            }
        }
        return v.length;
    }

    /** First step above the threshold, N + 1 if none. */
    public static int activationPlateau(double[] v, double threshold) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] > threshold) {
                return i;
            }
        }
        return v.length;
    }
}
