package org.plateau.metrics;

/**
 * Where a perturbation curve blows up (METHOD §5), as the authors' reference script computes it.
 * A curve holds one value per step, steps 0..N; every result is a 0-based step.
 */
public final class BlowupMetrics {

    private BlowupMetrics() {}

    /** MS, max slope: the step i with the largest rise v[i+1] − v[i] (the first if several). */
    public static int maxSlope(double[] v) {
        requireLength(v, 2);
        int best = 0;
        for (int i = 1; i < v.length - 1; i++) {
            if (v[i + 1] - v[i] > v[best + 1] - v[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * AUC step: for i = 1..N, r_i = (v[i−1]·i/2) / (trapezoid area of v[0..i−1] over x = 0..i−1),
     * 0 where the area is 0 — the curve's last value against its mean so far, which peaks where
     * the curve turns upward. The result is 5 + argmax of r_6..r_N.
     */
    public static int auc(double[] v) {
        requireLength(v, 7);
        double[] r = new double[v.length - 1]; // r[k] = r_{k+1}
        double area = 0;
        for (int i = 1; i < v.length; i++) {
            if (i >= 2) {
                area += (v[i - 2] + v[i - 1]) / 2; // trapezoid from x = i−2 to i−1
            }
            r[i - 1] = area == 0 ? 0 : (v[i - 1] * i / 2) / area;
        }
        int best = 5;
        for (int k = 6; k < r.length; k++) {
            if (r[k] > r[best]) {
                best = k;
            }
        }
        return best;
    }

    /**
     * NL, non-linearity: the line through (0, v[0]) and (9, v[9]) extrapolated; the first step
     * i ≥ 10 where |v[i] − line(i)| / line(i) exceeds 10 %, or N + 1 if none does.
     */
    public static int nonLinearity(double[] v) {
        return nonLinearity(v, 10.0);
    }

    public static int nonLinearity(double[] v, double thresholdPercent) {
        requireLength(v, 10);
        double slope = (v[9] - v[0]) / 9;
        double intercept = v[0];
        for (int i = 10; i < v.length; i++) {
            double line = slope * i + intercept;
            if (Math.abs(v[i] - line) / line * 100 > thresholdPercent) {
                return i;
            }
        }
        return v.length;
    }

    /** AP, activation plateau: the first step whose value exceeds the threshold, or N + 1 if none. */
    public static int activationPlateau(double[] v, double threshold) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] > threshold) {
                return i;
            }
        }
        return v.length;
    }

    private static void requireLength(double[] v, int n) {
        if (v.length < n) {
            throw new IllegalArgumentException("a curve of at least " + n + " steps is needed, not " + v.length);
        }
    }
}
