package org.plateau.experiment;

import java.util.ArrayList;
import java.util.List;
import org.plateau.metrics.DistributionStats;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;

/**
 * A layer study across layers: for each layer and type, the MS step of L2 in both step modes
 * (mean, std, KS against that layer's model-generated row) and, for plateau base types, the AP
 * step. {@code org.plateau.report.LayerReport} draws it as {@link #FILE_NAME} and figures.
 */
public record LayerSummary(List<Row> rows) {

    public static final String FILE_NAME = "layers.md";

    /**
     * One layer and type.
     *
     * @param msAbsolute MS of L2 from a model-generated base toward this type, absolute steps (n = 0 if not run)
     * @param msRelative the same in relative steps
     * @param ap AP of L2 from this type of base toward a random target (n = 0 when not a plateau base)
     */
    public record Row(int layer, String hook, TargetType type, DistributionStats msAbsolute, DistributionStats msRelative,
            DistributionStats ap) {}

    public static LayerSummary of(List<LayerStudy.LayerRun> runs) {
        List<Row> rows = new ArrayList<>();
        for (LayerStudy.LayerRun run : runs) {
            List<PerturbationRecord> rs = run.results().perturbations();
            for (TargetType t : TargetType.values()) {
                Row row = new Row(run.layer().layer(), run.layer().hook().name(), t,
                        stats(rs, Experiment.SENSITIVITY, StepMode.ABSOLUTE, false, t, Metric.MS_L2),
                        stats(rs, Experiment.RELATIVE, StepMode.RELATIVE, false, t, Metric.MS_L2),
                        stats(rs, Experiment.PLATEAU, StepMode.ABSOLUTE, true, t, Metric.AP_L2));
                if (row.msAbsolute().n() + row.msRelative().n() + row.ap().n() > 0) {
                    rows.add(row);
                }
            }
        }
        return new LayerSummary(List.copyOf(rows));
    }

    private static DistributionStats stats(List<PerturbationRecord> rs, Experiment e, StepMode mode, boolean byBase,
            TargetType t, Metric m) {
        double[] sample = values(rs, e, mode, byBase, t, m);
        double[] reference = values(rs, e, mode, byBase, TargetType.MODEL_GENERATED, m);
        return DistributionStats.of(sample, reference);
    }

    private static double[] values(List<PerturbationRecord> rs, Experiment e, StepMode mode, boolean byBase, TargetType t,
            Metric m) {
        return rs.stream().filter(r -> r.of(e.id(), mode, byBase, t)).mapToDouble(r -> r.metric(m)).toArray();
    }

    /** The layers, ascending. */
    public List<Integer> layers() {
        return rows.stream().map(Row::layer).distinct().sorted().toList();
    }

    /** The types with at least one row, in the enum's order. */
    public List<TargetType> types() {
        return rows.stream().map(Row::type).distinct().sorted().toList();
    }

    /** The row of a layer and type, or null. */
    public Row row(int layer, TargetType type) {
        return rows.stream().filter(r -> r.layer() == layer && r.type() == type).findFirst().orElse(null);
    }
}
