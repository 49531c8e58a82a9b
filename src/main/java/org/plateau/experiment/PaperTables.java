package org.plateau.experiment;

import static org.plateau.perturbation.TargetType.MODEL_GENERATED;
import static org.plateau.perturbation.TargetType.RANDOM;
import static org.plateau.perturbation.TargetType.SAE_RECONSTRUCTION;
import static org.plateau.perturbation.TargetType.SYNTHETIC_BASELINE;
import static org.plateau.perturbation.TargetType.SYNTHETIC_COOCCURRENCE;
import static org.plateau.perturbation.TargetType.SYNTHETIC_RANDOM;
import static org.plateau.perturbation.TargetType.SYNTHETIC_STRUCTURED;
import static org.plateau.perturbation.TargetType.SYNTHETIC_STRUCTURED_NO_COS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.plateau.metrics.DistributionStats;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;

/**
 * The paper's tables, filled in from a study's records beside its numbers (which each
 * {@link Metric} carries). KS compares each row with the model-generated row of the same table
 * and step mode. A metric the paper has no table for gets one of its own, in both step modes.
 */
public final class PaperTables {

    private PaperTables() {}

    /** One row of a metric table: a type in a step mode, ours and the paper's. */
    public record Row(TargetType type, StepMode mode, DistributionStats ours, Metric.Paper paper) {}

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

    /** A table's layout: which rows, of which experiment. */
    private record Spec(String id, String title, String figure, Metric metric, Experiment experiment,
            boolean byBase, List<TypeInMode> rows) {}

    private record TypeInMode(TargetType type, StepMode mode) {}

    private static final StepMode ABS = StepMode.ABSOLUTE;
    private static final StepMode REL = StepMode.RELATIVE;

    private static List<TypeInMode> rows(StepMode mode, TargetType... types) {
        return Arrays.stream(types).map(t -> new TypeInMode(t, mode)).toList();
    }

    private static final List<TargetType> PAPERS_FOUR = List.of(MODEL_GENERATED, RANDOM, SYNTHETIC_BASELINE,
            SYNTHETIC_STRUCTURED);

    private static final List<Spec> PAPER_SPECS = List.of(
            new Spec("1", "MS step of L2, absolute steps", "2", Metric.MS_L2, Experiment.SENSITIVITY, false,
                    rows(ABS, PAPERS_FOUR.toArray(TargetType[]::new))),
            new Spec("A.1", "MS step of L2, relative steps", "A.1", Metric.MS_L2, Experiment.RELATIVE, false,
                    rows(REL, PAPERS_FOUR.toArray(TargetType[]::new))),
            new Spec("B.1", "AUC step of L2, absolute steps", "B.1", Metric.AUC_L2, Experiment.SENSITIVITY, false,
                    rows(ABS, PAPERS_FOUR.toArray(TargetType[]::new))),
            new Spec("B.2", "NL step of L2, absolute steps", "B.2", Metric.NL_L2, Experiment.SENSITIVITY, false,
                    rows(ABS, PAPERS_FOUR.toArray(TargetType[]::new))),
            new Spec("C.1", "MS step of KL, absolute steps", "C.1", Metric.MS_KL, Experiment.SENSITIVITY, false,
                    rows(ABS, PAPERS_FOUR.toArray(TargetType[]::new))),
            new Spec("D.1", "MS step of L2 for the other targets, both step modes", "D.1", Metric.MS_L2, null, false,
                    java.util.stream.Stream.concat(
                            rows(ABS, MODEL_GENERATED, SYNTHETIC_RANDOM, SYNTHETIC_STRUCTURED_NO_COS, SAE_RECONSTRUCTION).stream(),
                            rows(REL, MODEL_GENERATED, SYNTHETIC_RANDOM, SYNTHETIC_STRUCTURED_NO_COS, SAE_RECONSTRUCTION).stream())
                            .toList()),
            new Spec("AP", "Activation plateau: AP step of L2 from each base toward a random target", "3",
                    Metric.AP_L2, Experiment.PLATEAU, true,
                    rows(ABS, StudyRunner.PLATEAU_BASES.toArray(TargetType[]::new))),
            new Spec("X.1", "Plateau's extension: MS step of L2 toward co-occurrence synthesis, beside the paper's"
                    + " structured synthesis, both step modes", "X.1", Metric.MS_L2, null, false,
                    java.util.stream.Stream.concat(
                            rows(ABS, MODEL_GENERATED, SYNTHETIC_STRUCTURED, SYNTHETIC_COOCCURRENCE).stream(),
                            rows(REL, MODEL_GENERATED, SYNTHETIC_STRUCTURED, SYNTHETIC_COOCCURRENCE).stream())
                            .toList()));

    /** The paper's tables, then one per step mode for each metric it has no table for. */
    private static List<Spec> specs() {
        List<Spec> out = new ArrayList<>(PAPER_SPECS);
        for (Metric m : Metric.values()) {
            if (PAPER_SPECS.stream().noneMatch(sp -> sp.metric() == m)) {
                TargetType[] all = TargetType.values();
                out.add(new Spec(m.id(), m.label() + ", absolute steps", null, m, Experiment.SENSITIVITY, false, rows(ABS, all)));
                out.add(new Spec(m.id() + "-rel", m.label() + ", relative steps", null, m, Experiment.RELATIVE, false,
                        rows(REL, all)));
            }
        }
        return out;
    }

    /** Every metric table, filled from {@code records}; a row whose type did not run has n = 0. */
    public static List<MetricTable> metricTables(List<PerturbationRecord> records) {
        List<MetricTable> out = new ArrayList<>();
        for (Spec spec : specs()) {
            List<Row> rows = new ArrayList<>();
            for (TypeInMode r : spec.rows()) {
                double[] sample = values(records, spec, r.type(), r.mode());
                double[] reference = values(records, spec, MODEL_GENERATED, r.mode());
                rows.add(new Row(r.type(), r.mode(), DistributionStats.of(sample, reference),
                        spec.byBase() ? null : spec.metric().paper(r.mode(), r.type())));
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
