package org.plateau.explore;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.plateau.experiment.Experiment;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.metrics.DistributionStats;
import org.plateau.metrics.Histograms;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;

/**
 * Distributions of a blow-up metric over many perturbations, per type, as the compare panel shows
 * them: histogram in bins of 5 steps, CDF, mean / std / KS against model-generated, and the
 * paper's numbers where it has them. Built the same way from a batch or from a reproduce run.
 */
public final class Distributions {

    /** Bins of 5 steps, from 0 to past the sweep's end (N + 1 = no blow-up within the sweep). */
    public static final int BIN = Histograms.STEP_BIN;

    private Distributions() {}

    /** Which perturbations a view shows: one experiment in one step mode. */
    public record Slice(String experiment, StepMode mode) {
        /** Plateau rows are base types; the others are target types. */
        public boolean byBase() {
            return experiment.equals(Experiment.PLATEAU.id());
        }

        @Override
        public String toString() {
            return experiment + " · " + mode.id() + " steps";
        }
    }

    /** One type's distribution. */
    public record TypeDistribution(TargetType type, double[] values, Histograms.Counts histogram,
            Histograms.Cdf cdf, DistributionStats stats, Metric.Paper paper) {}

    /** A metric's distributions for every type of a slice, over sweeps of {@code steps} steps. */
    public record View(Slice slice, Metric metric, int steps, List<TypeDistribution> types) {
        public int total() {
            return types.stream().mapToInt(t -> t.values().length).sum();
        }
    }

    /** The slices present in a set of records, in a stable order. */
    public static List<Slice> slices(List<PerturbationRecord> records) {
        Set<Slice> out = new LinkedHashSet<>();
        for (PerturbationRecord r : records) {
            out.add(new Slice(r.experiment(), StepMode.parse(r.mode())));
        }
        return new ArrayList<>(out);
    }

    /** The sweeps' step count N, as the records hold it (their curves have N + 1 points). */
    public static int steps(List<PerturbationRecord> records) {
        return records.stream().mapToInt(r -> r.l2().length - 1).max().orElse(100);
    }

    public static View of(List<PerturbationRecord> records, Slice slice, Metric metric) {
        int steps = steps(records);
        int bins = Histograms.stepBins(steps);
        double[] reference = values(records, slice, TargetType.MODEL_GENERATED, metric);
        List<TypeDistribution> types = new ArrayList<>();
        for (TargetType t : TargetType.values()) {
            double[] v = values(records, slice, t, metric);
            if (v.length == 0) {
                continue;
            }
            types.add(new TypeDistribution(t, v, Histograms.of(v, 0, BIN, bins), Histograms.cdf(v, BIN * bins),
                    DistributionStats.of(v, reference.length == 0 ? null : reference),
                    slice.byBase() ? null : metric.paper(slice.mode(), t)));
        }
        return new View(slice, metric, steps, types);
    }

    /** The records of one type whose metric falls in histogram bin {@code bin}. */
    public static List<PerturbationRecord> inBin(List<PerturbationRecord> records, Slice slice, Metric metric,
            TargetType type, int bin) {
        int bins = Histograms.stepBins(steps(records));
        return ofType(records, slice, type).stream()
                .filter(r -> Histograms.binOf(r.metric(metric), 0, BIN, bins) == bin)
                .toList();
    }

    /** The label of a bin, "0–4" … "100–104". */
    public static String binLabel(int bin) {
        return (bin * BIN) + "–" + (bin * BIN + BIN - 1);
    }

    private static List<PerturbationRecord> ofType(List<PerturbationRecord> records, Slice slice, TargetType type) {
        return records.stream().filter(r -> r.of(slice.experiment(), slice.mode(), slice.byBase(), type)).toList();
    }

    private static double[] values(List<PerturbationRecord> records, Slice slice, TargetType type, Metric metric) {
        return ofType(records, slice, type).stream().mapToDouble(r -> r.metric(metric)).toArray();
    }
}
