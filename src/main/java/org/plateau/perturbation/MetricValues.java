package org.plateau.perturbation;

import java.util.Arrays;

/** Every {@link Metric} of one perturbation, in the order of {@link Metric#values()}. */
public record MetricValues(int[] values) {

    public MetricValues {
        if (values.length != Metric.values().length) {
            throw new IllegalArgumentException("one value per metric expected");
        }
        values = values.clone();
    }

    /** All metrics of a curve. */
    public static MetricValues of(Curve curve, double apThreshold) {
        int[] v = new int[Metric.values().length];
        for (Metric m : Metric.values()) {
            v[m.ordinal()] = m.of(curve, apThreshold);
        }
        return new MetricValues(v);
    }

    public int get(Metric m) {
        return values[m.ordinal()];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetricValues other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}
