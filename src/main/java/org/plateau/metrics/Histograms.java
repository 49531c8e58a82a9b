package org.plateau.metrics;

import java.util.Arrays;

/** Histograms and empirical CDFs of a sample, as the figures and the app draw them. */
public final class Histograms {

    /** Histograms of step metrics count in bins of this many steps (the paper's figures do). */
    public static final int STEP_BIN = 5;

    private Histograms() {}

    /** Bins of {@link #STEP_BIN} steps covering steps 0..N + 1 of a sweep of N steps (21 for the paper's 100). */
    public static int stepBins(int steps) {
        return (steps + 2 + STEP_BIN - 1) / STEP_BIN;
    }

    /** A step metric's histogram over a sweep of N steps. */
    public static Counts ofSteps(double[] values, int steps) {
        return of(values, 0, STEP_BIN, stepBins(steps));
    }

    /** Bin edges (bins + 1 of them) and the count in each bin. */
    public record Counts(double[] edges, double[] counts) {
        public double total() {
            return Arrays.stream(counts).sum();
        }
    }

    /**
     * Counts in {@code bins} bins of equal {@code width} from {@code start}: bin k holds
     * start + k·width ≤ v < start + (k+1)·width. Values below the first bin go to it, values past
     * the last to the last, so every value is counted once.
     */
    public static Counts of(double[] values, double start, double width, int bins) {
        double[] edges = new double[bins + 1];
        for (int k = 0; k <= bins; k++) {
            edges[k] = start + k * width;
        }
        double[] counts = new double[bins];
        for (double v : values) {
            if (!Double.isFinite(v)) {
                continue;
            }
            int k = (int) Math.floor((v - start) / width);
            counts[Math.max(0, Math.min(bins - 1, k))]++;
        }
        return new Counts(edges, counts);
    }

    /** The bin a value falls in, as {@link #of} counts it. */
    public static int binOf(double v, double start, double width, int bins) {
        return Math.max(0, Math.min(bins - 1, (int) Math.floor((v - start) / width)));
    }

    /** A step function through the sorted sample: F(x) = fraction of values ≤ x, as (x, y) corners. */
    public record Cdf(double[] x, double[] y) {}

    public static Cdf cdf(double[] values) {
        return cdf(values, Double.NaN);
    }

    /** The CDF, continued at 1 up to {@code end} (the axis' right edge) when that lies beyond the sample. */
    public static Cdf cdf(double[] values, double end) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        int n = v.length;
        boolean extend = n > 0 && end > v[n - 1];
        double[] x = new double[2 * n + (extend ? 1 : 0)];
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            x[2 * i] = v[i];
            y[2 * i] = (double) i / n;
            x[2 * i + 1] = v[i];
            y[2 * i + 1] = (double) (i + 1) / n;
        }
        if (extend) {
            x[2 * n] = end;
            y[2 * n] = 1;
        }
        return new Cdf(x, y);
    }
}
