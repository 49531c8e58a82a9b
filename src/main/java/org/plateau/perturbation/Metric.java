package org.plateau.perturbation;

import static org.plateau.perturbation.StepMode.ABSOLUTE;
import static org.plateau.perturbation.StepMode.RELATIVE;
import static org.plateau.perturbation.TargetType.MODEL_GENERATED;
import static org.plateau.perturbation.TargetType.RANDOM;
import static org.plateau.perturbation.TargetType.SAE_RECONSTRUCTION;
import static org.plateau.perturbation.TargetType.SYNTHETIC_BASELINE;
import static org.plateau.perturbation.TargetType.SYNTHETIC_RANDOM;
import static org.plateau.perturbation.TargetType.SYNTHETIC_STRUCTURED;
import static org.plateau.perturbation.TargetType.SYNTHETIC_STRUCTURED_NO_COS;

import java.util.Map;
import org.plateau.metrics.BlowupMetrics;

/**
 * The step metrics of a perturbation's curves (METHOD §5), as data: each computes itself from a
 * curve, and knows its name, its label and the paper's numbers (METHOD §7). Results, tables,
 * exports, charts and reports loop over {@link #values()}; a new metric is its formula in
 * {@link BlowupMetrics} and a constant here.
 */
public enum Metric {
    MS_L2("ms_l2", "MS step of L2", "MS", (c, ap) -> BlowupMetrics.maxSlope(c.l2()), Map.ofEntries(
            paper(ABSOLUTE, MODEL_GENERATED, 41.11, 10.40, 0.0), paper(ABSOLUTE, RANDOM, 52.49, 10.21, 0.45),
            paper(ABSOLUTE, SYNTHETIC_BASELINE, 49.61, 13.25, 0.28), paper(ABSOLUTE, SYNTHETIC_STRUCTURED, 43.48, 12.79, 0.11),
            paper(ABSOLUTE, SYNTHETIC_RANDOM, 51.30, 10.25, 0.39),
            paper(ABSOLUTE, SYNTHETIC_STRUCTURED_NO_COS, 50.17, 11.96, 0.31),
            paper(ABSOLUTE, SAE_RECONSTRUCTION, 41.49, 11.34, 0.02),
            paper(RELATIVE, MODEL_GENERATED, 51.65, 7.42, null), paper(RELATIVE, RANDOM, 64.89, 10.50, 0.62),
            paper(RELATIVE, SYNTHETIC_BASELINE, 57.07, 11.29, 0.27), paper(RELATIVE, SYNTHETIC_STRUCTURED, 55.69, 11.31, 0.22),
            paper(RELATIVE, SYNTHETIC_RANDOM, 55.25, 8.74, 0.19),
            paper(RELATIVE, SYNTHETIC_STRUCTURED_NO_COS, 54.47, 10.68, 0.17))),
    MS_KL("ms_kl", "MS step of KL", "MS of KL", (c, ap) -> BlowupMetrics.maxSlope(c.kl()), Map.of(
            key(ABSOLUTE, MODEL_GENERATED), new Paper(45.51, 12.89, null), key(ABSOLUTE, RANDOM), new Paper(58.54, 12.33, 0.47),
            key(ABSOLUTE, SYNTHETIC_BASELINE), new Paper(54.79, 14.02, 0.32),
            key(ABSOLUTE, SYNTHETIC_STRUCTURED), new Paper(48.79, 15.64, 0.13))),
    AUC_L2("auc_l2", "AUC step of L2", "AUC", (c, ap) -> BlowupMetrics.auc(c.l2()), Map.of(
            key(ABSOLUTE, MODEL_GENERATED), new Paper(41.94, 11.78, null), key(ABSOLUTE, RANDOM), new Paper(52.73, 13.66, 0.43),
            key(ABSOLUTE, SYNTHETIC_BASELINE), new Paper(49.31, 14.20, 0.25),
            key(ABSOLUTE, SYNTHETIC_STRUCTURED), new Paper(43.54, 14.99, 0.09))),
    NL_L2("nl_l2", "NL step of L2", "NL", (c, ap) -> BlowupMetrics.nonLinearity(c.l2()), Map.of(
            key(ABSOLUTE, MODEL_GENERATED), new Paper(24.17, 8.87, null), key(ABSOLUTE, RANDOM), new Paper(29.80, 11.72, 0.22),
            key(ABSOLUTE, SYNTHETIC_BASELINE), new Paper(32.90, 11.25, 0.40),
            key(ABSOLUTE, SYNTHETIC_STRUCTURED), new Paper(26.72, 12.25, 0.11))),
    AP_L2("ap_l2", "AP step of L2", "AP", (c, ap) -> BlowupMetrics.activationPlateau(c.l2(), ap), Map.of());

    /** The paper's mean, population std and KS (null where it gives none) of a metric's distribution. */
    public record Paper(double mean, double std, Double ks) {}

    /** How a metric computes itself from a curve (and the AP threshold, for those that use one). */
    @FunctionalInterface
    interface Formula {
        int of(Curve curve, double apThreshold);
    }

    private final String id;
    private final String label;
    private final String shortLabel;
    private final Formula formula;
    private final Map<String, Paper> paper;

    Metric(String id, String label, String shortLabel, Formula formula, Map<String, Paper> paper) {
        this.id = id;
        this.label = label;
        this.shortLabel = shortLabel;
        this.formula = formula;
        this.paper = paper;
    }

    private static String key(StepMode mode, TargetType type) {
        return mode.id() + "/" + type.id();
    }

    private static Map.Entry<String, Paper> paper(StepMode mode, TargetType type, double mean, double std, Double ks) {
        return Map.entry(key(mode, type), new Paper(mean, std, ks));
    }

    /** The name in result files and on the command line (ms_l2). */
    public String id() {
        return id;
    }

    /** The name shown to people (MS step of L2). */
    public String label() {
        return label;
    }

    /** A few letters, for lists (MS). */
    public String shortLabel() {
        return shortLabel;
    }

    /** The step this metric picks on a curve (0-based; N + 1 when it finds none within the sweep). */
    public int of(Curve curve, double apThreshold) {
        return formula.of(curve, apThreshold);
    }

    /** The paper's numbers for a target type in a step mode (base model-generated), or null where it gives none. */
    public Paper paper(StepMode mode, TargetType type) {
        return paper.get(key(mode, type));
    }

    public static Metric parse(String id) {
        for (Metric m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        throw new org.plateau.PlateauException("Unknown metric '" + id + "'.");
    }
}
