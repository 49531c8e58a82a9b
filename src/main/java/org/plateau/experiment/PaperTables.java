package org.plateau.experiment;

import static org.plateau.perturbation.TargetType.MODEL_GENERATED;
import static org.plateau.perturbation.TargetType.RANDOM;
import static org.plateau.perturbation.TargetType.SAE_RECONSTRUCTION;
import static org.plateau.perturbation.TargetType.SYNTHETIC_BASELINE;
import static org.plateau.perturbation.TargetType.SYNTHETIC_RANDOM;
import static org.plateau.perturbation.TargetType.SYNTHETIC_STRUCTURED;
import static org.plateau.perturbation.TargetType.SYNTHETIC_STRUCTURED_NO_COS;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.plateau.metrics.DistributionStats;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;

/**
 * The paper's tables, with its numbers (METHOD §7), filled in from a study's records.
 * KS compares each row with the model-generated row of the same table and step mode.
 */
public final class PaperTables {

    private PaperTables() {}

    /** A number of the paper: mean, std and KS (KS null where the paper gives none). */
    public record Paper(double mean, double std, Double ks) {}

    /** One row of a metric table: a type in a step mode, ours and the paper's. */
    public record Row(TargetType type, StepMode mode, DistributionStats ours, Paper paper) {}

    /**
     * A table of one metric.
     *
     * @param figure the figure that shows the same distributions
     * @param byBase rows are plateau base types (the target is random); otherwise target types
     */
    public record MetricTable(String id, String title, String figure, Metric metric, Experiment experiment,
            boolean byBase, List<Row> rows) {}

    /** Mean and population std of one latent property. */
    public record Moments(double mean, double std, int n) {}

    /** One row of table E. */
    public record LatentRow(TargetType type, int n, Moments activeCount, Moments topShare, Moments pairwiseCos,
            Moments cosToTop, Moments norm, Moments distance) {}

    /** What the paper reports for GPT-2's own activations (METHOD §7): no std given. */
    public static final Map<String, Double> PAPER_LATENTS = Map.of(
            "active_count", 21.0, "top_share", 0.49, "pairwise_cos", 0.29, "cos_to_top", 0.18,
            "norm", 56.0, "distance", 40.0);

    private record Spec(String id, String title, String figure, Metric metric, Experiment experiment,
            boolean byBase, List<Object[]> rows) {}

    private static Object[] row(TargetType t, StepMode m, double mean, double std, Double ks) {
        return new Object[] {t, m, new Paper(mean, std, ks)};
    }

    private static Object[] row(TargetType t, StepMode m) {
        return new Object[] {t, m, null};
    }

    private static final StepMode ABS = StepMode.ABSOLUTE;
    private static final StepMode REL = StepMode.RELATIVE;

    private static final List<Spec> SPECS = List.of(
            new Spec("1", "MS step of L2, absolute steps", "2", Metric.MS_L2, Experiment.SENSITIVITY, false, List.of(
                    row(MODEL_GENERATED, ABS, 41.11, 10.40, 0.0), row(RANDOM, ABS, 52.49, 10.21, 0.45),
                    row(SYNTHETIC_BASELINE, ABS, 49.61, 13.25, 0.28), row(SYNTHETIC_STRUCTURED, ABS, 43.48, 12.79, 0.11))),
            new Spec("A.1", "MS step of L2, relative steps", "A.1", Metric.MS_L2, Experiment.RELATIVE, false, List.of(
                    row(MODEL_GENERATED, REL, 51.65, 7.42, null), row(RANDOM, REL, 64.89, 10.50, 0.62),
                    row(SYNTHETIC_BASELINE, REL, 57.07, 11.29, 0.27), row(SYNTHETIC_STRUCTURED, REL, 55.69, 11.31, 0.22))),
            new Spec("B.1", "AUC step of L2, absolute steps", "B.1", Metric.AUC_L2, Experiment.SENSITIVITY, false, List.of(
                    row(MODEL_GENERATED, ABS, 41.94, 11.78, null), row(RANDOM, ABS, 52.73, 13.66, 0.43),
                    row(SYNTHETIC_BASELINE, ABS, 49.31, 14.20, 0.25), row(SYNTHETIC_STRUCTURED, ABS, 43.54, 14.99, 0.09))),
            new Spec("B.2", "NL step of L2, absolute steps", "B.2", Metric.NL_L2, Experiment.SENSITIVITY, false, List.of(
                    row(MODEL_GENERATED, ABS, 24.17, 8.87, null), row(RANDOM, ABS, 29.80, 11.72, 0.22),
                    row(SYNTHETIC_BASELINE, ABS, 32.90, 11.25, 0.40), row(SYNTHETIC_STRUCTURED, ABS, 26.72, 12.25, 0.11))),
            new Spec("C.1", "MS step of KL, absolute steps", "C.1", Metric.MS_KL, Experiment.SENSITIVITY, false, List.of(
                    row(MODEL_GENERATED, ABS, 45.51, 12.89, null), row(RANDOM, ABS, 58.54, 12.33, 0.47),
                    row(SYNTHETIC_BASELINE, ABS, 54.79, 14.02, 0.32), row(SYNTHETIC_STRUCTURED, ABS, 48.79, 15.64, 0.13))),
            new Spec("D.1", "MS step of L2 for the other targets, both step modes", "D.1", Metric.MS_L2, null, false, List.of(
                    row(MODEL_GENERATED, ABS, 41.11, 10.40, 0.0), row(SYNTHETIC_RANDOM, ABS, 51.30, 10.25, 0.39),
                    row(SYNTHETIC_STRUCTURED_NO_COS, ABS, 50.17, 11.96, 0.31), row(SAE_RECONSTRUCTION, ABS, 41.49, 11.34, 0.02),
                    row(MODEL_GENERATED, REL, 51.65, 7.42, null), row(SYNTHETIC_RANDOM, REL, 55.25, 8.74, 0.19),
                    row(SYNTHETIC_STRUCTURED_NO_COS, REL, 54.47, 10.68, 0.17), row(SAE_RECONSTRUCTION, REL))),
            new Spec("AP", "Activation plateau: AP step of L2 from each base toward a random target", "3",
                    Metric.AP_L2, Experiment.PLATEAU, true, List.of(
                    row(MODEL_GENERATED, ABS), row(SYNTHETIC_BASELINE, ABS), row(SYNTHETIC_STRUCTURED, ABS), row(RANDOM, ABS))));

    /**
     * The paper's mean, std and KS of a metric for a target type in a step mode, where it gives
     * them (base model-generated); null elsewhere.
     */
    public static Paper paperValue(Metric metric, StepMode mode, TargetType type) {
        for (Spec spec : SPECS) {
            if (spec.metric() != metric || spec.byBase()) {
                continue;
            }
            for (Object[] r : spec.rows()) {
                if (r[0] == type && r[1] == mode && r[2] != null) {
                    return (Paper) r[2];
                }
            }
        }
        return null;
    }

    /** Every metric table, filled from {@code records}; a row whose type did not run has n = 0. */
    public static List<MetricTable> metricTables(List<PerturbationRecord> records) {
        List<MetricTable> out = new ArrayList<>();
        for (Spec spec : SPECS) {
            List<Row> rows = new ArrayList<>();
            for (Object[] r : spec.rows()) {
                TargetType type = (TargetType) r[0];
                StepMode mode = (StepMode) r[1];
                double[] sample = values(records, spec, type, mode);
                double[] reference = values(records, spec, MODEL_GENERATED, mode);
                rows.add(new Row(type, mode, DistributionStats.of(sample, reference), (Paper) r[2]));
            }
            out.add(new MetricTable(spec.id(), spec.title(), spec.figure(), spec.metric(), spec.experiment(),
                    spec.byBase(), rows));
        }
        return out;
    }

    /** The metric over the records a row stands for. */
    public static double[] values(List<PerturbationRecord> records, MetricTable t, TargetType type, StepMode mode) {
        return values(records, new Spec(t.id(), t.title(), t.figure(), t.metric(), t.experiment(), t.byBase(), List.of()),
                type, mode);
    }

    private static double[] values(List<PerturbationRecord> records, Spec spec, TargetType type, StepMode mode) {
        String experiment = spec.experiment() != null ? spec.experiment().id()
                : mode == StepMode.ABSOLUTE ? Experiment.SENSITIVITY.id() : Experiment.RELATIVE.id();
        return records.stream()
                .filter(r -> r.of(experiment, mode, spec.byBase(), type))
                .mapToDouble(r -> r.metric(spec.metric()))
                .toArray();
    }

    /** Table E: the SAE code of each kind of activation. */
    public static List<LatentRow> latentTable(List<LatentRecord> latents) {
        List<LatentRow> out = new ArrayList<>();
        for (TargetType t : TargetType.values()) {
            List<LatentRecord> of = latents.stream().filter(l -> l.type().equals(t.id())).toList();
            if (of.isEmpty()) {
                continue;
            }
            out.add(new LatentRow(t, of.size(),
                    moments(of, LatentRecord::activeCount),
                    moments(of.stream().filter(l -> l.shares().length > 0).toList(), LatentRecord::topShare),
                    moments(of.stream().filter(l -> l.meanPairwiseCos() != null).toList(), LatentRecord::meanPairwiseCos),
                    moments(of.stream().filter(l -> l.meanCosToTop() != null).toList(), LatentRecord::meanCosToTop),
                    moments(of, LatentRecord::norm),
                    moments(of, LatentRecord::distanceToBase)));
        }
        return out;
    }

    private static Moments moments(List<LatentRecord> of, ToDoubleFunction<LatentRecord> f) {
        double[] v = of.stream().mapToDouble(f).toArray();
        return new Moments(DistributionStats.mean(v), DistributionStats.populationStd(v), v.length);
    }
}
