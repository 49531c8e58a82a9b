package org.plateau.metrics;

import java.util.Arrays;

/**
 * Summary of one metric over many perturbations (METHOD §6): mean, population standard deviation
 * (ddof 0) and the two-sample Kolmogorov–Smirnov statistic against a reference sample.
 */
public record DistributionStats(int n, double mean, double std, double ks) {

    /** Mean and std of {@code sample}, and its KS statistic against {@code reference}. */
    public static DistributionStats of(double[] sample, double[] reference) {
        return new DistributionStats(sample.length, mean(sample), populationStd(sample),
                reference == null || reference.length == 0 ? Double.NaN : ksStatistic(sample, reference));
    }

    public static double mean(double[] x) {
        if (x.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    public static double populationStd(double[] x) {
        if (x.length == 0) {
            return Double.NaN;
        }
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }

    /**
     * sup over t of |F_a(t) − F_b(t)| for the two empirical CDFs, evaluated at every sample value,
     * so ties (metrics are integer steps) are counted together as SciPy's ks_2samp does.
     */
    public static double ksStatistic(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) {
            return Double.NaN;
        }
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < x.length && j < y.length) {
            double t = Math.min(x[i], y[j]);
            while (i < x.length && x[i] == t) {
                i++;
            }
            while (j < y.length && y[j] == t) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
        }
        return d;
    }
}
