package org.plateau.report;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.plateau.experiment.Experiment;
import org.plateau.experiment.LatentRecord;
import org.plateau.experiment.PaperTables;
import org.plateau.experiment.PaperTables.MetricTable;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.experiment.StudyResults;
import org.plateau.metrics.Histograms;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;
import org.plateau.plot.Chart;
import org.plateau.plot.CurveCharts;
import org.plateau.plot.DistributionCharts;
import org.plateau.plot.Figure;
import org.plateau.plot.FigureFiles;
import org.plateau.plot.FigureFormat;
import org.plateau.plot.Palette;

/** The paper's figures drawn from a study's results, in each format asked for, without a display. */
public final class StudyFigures {

    /** Bins of the step histograms: 5 steps wide, past the sweep's end (step N + 1 = "no blow-up in the sweep"). */
    public static final int BIN = Histograms.STEP_BIN;

    private static final List<TargetType> MAIN = List.of(TargetType.MODEL_GENERATED, TargetType.RANDOM,
            TargetType.SYNTHETIC_BASELINE, TargetType.SYNTHETIC_STRUCTURED);

    private final StudyResults results;
    private final String footnote;

    public StudyFigures(StudyResults results, String footnote) {
        this.results = results;
        this.footnote = footnote;
    }

    /**
     * Writes every figure the results can fill into {@code dir}, once per format; returns the file
     * a report shows (the PNG when there is one, else the first format) → caption.
     */
    public Map<String, String> writeAll(Path dir, List<FigureFormat> formats) {
        Map<String, String> written = new LinkedHashMap<>();
        List<PerturbationRecord> sensitivity = of(Experiment.SENSITIVITY);
        if (!sensitivity.isEmpty()) {
            write(dir, "figure-1", figure1(sensitivity), formats, written,
                    "Example perturbations: one per type (solid, MS step as a dot) and the mean curve (dashed)");
        }
        for (MetricTable t : results.tables()) {
            if (t.rows().stream().anyMatch(r -> r.ours().n() > 0)) {
                write(dir, figureStem(t), distributionFigure(t), formats, written, "Figure " + figureName(t) + ": "
                        + t.title() + " — histogram (bins of " + BIN + " steps) and CDF per type");
            }
        }
        if (!results.latents().isEmpty()) {
            write(dir, "figure-E1", figureE1(), formats, written, "Figure E.1: active latents and each rank's share of Σz");
            write(dir, "figure-E2", figureE2(), formats, written, "Figure E.2: cosine similarity among active latents");
        }
        return written;
    }

    /** Writes {@code figure} as {@code stem}.png/.svg/.pdf, and records the one a report shows. */
    static void write(Path dir, String stem, Figure figure, List<FigureFormat> formats, Map<String, String> written,
            String caption) {
        for (FigureFormat f : formats) {
            FigureFiles.write(figure, f, 2, dir.resolve(stem + "." + f.extension()));
        }
        FigureFormat shown = formats.contains(FigureFormat.PNG) ? FigureFormat.PNG : formats.get(0);
        written.put(stem + "." + shown.extension(), caption);
    }

    private List<PerturbationRecord> of(Experiment e) {
        return results.perturbations().stream().filter(r -> r.experiment().equals(e.id())).toList();
    }

    private static List<PerturbationRecord> ofType(List<PerturbationRecord> rs, TargetType t, boolean byBase) {
        return rs.stream().filter(r -> (byBase ? r.baseType() : r.targetType()).equals(t.id())).toList();
    }

    /** Figure 1 of these results. */
    public Figure figure1() {
        return figure1(of(Experiment.SENSITIVITY));
    }

    /** Figure 1: L2 and KL against step for one example per type, its MS dot, and the mean curve. */
    Figure figure1(List<PerturbationRecord> sensitivity) {
        List<CurveCharts.Series> l2 = new ArrayList<>();
        List<CurveCharts.Series> kl = new ArrayList<>();
        for (TargetType t : MAIN) {
            List<PerturbationRecord> rs = ofType(sensitivity, t, false);
            if (rs.isEmpty()) {
                continue;
            }
            PerturbationRecord example = rs.get(0);
            Color c = Palette.color(t);
            l2.add(new CurveCharts.Series(t.label(), c, doubles(example.l2()), example.metric(Metric.MS_L2), mean(rs, true)));
            kl.add(new CurveCharts.Series(t.label(), c, doubles(example.kl()), example.metric(Metric.MS_KL), mean(rs, false)));
        }
        double ap = results.settings().path("ap_threshold").asDouble(Double.NaN);
        return new Figure("Figure 1 — perturbations from a model-generated base toward each target type",
                List.of(CurveCharts.chart(CurveCharts.Quantity.L2, l2, ap), CurveCharts.chart(CurveCharts.Quantity.KL, kl, ap)),
                2, 560, 400, footnote);
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double[] mean(List<PerturbationRecord> rs, boolean l2) {
        int len = rs.get(0).l2().length;
        double[] m = new double[len];
        for (PerturbationRecord r : rs) {
            float[] v = l2 ? r.l2() : r.kl();
            for (int i = 0; i < len; i++) {
                m[i] += v[i] / rs.size();
            }
        }
        return m;
    }

    /** The file name of a table's figure, without extension: the paper's figure number, or the table's own id. */
    public static String figureStem(MetricTable t) {
        return "figure-" + figureName(t).replace(".", "");
    }

    static String figureName(MetricTable t) {
        return t.figure() != null ? t.figure() : t.id();
    }

    /** A metric's distribution per type: histogram and CDF, a row per step mode. */
    Figure distributionFigure(MetricTable t) {
        int steps = results.settings().path("steps").asInt(100);
        double end = Histograms.STEP_BIN * Histograms.stepBins(steps);
        List<Chart> charts = new ArrayList<>();
        List<StepMode> modes = t.rows().stream().map(PaperTables.Row::mode).distinct().toList();
        for (StepMode mode : modes) {
            String suffix = modes.size() > 1 ? " (" + mode.id() + " steps)" : "";
            List<DistributionCharts.Series> series = new ArrayList<>();
            for (PaperTables.Row r : t.rows()) {
                if (r.mode() != mode || r.ours().n() == 0) {
                    continue;
                }
                double[] v = PaperTables.values(results.perturbations(), t, r.type(), mode);
                series.add(distribution(r.type(), v, steps, end));
            }
            charts.add(DistributionCharts.histogram("Histogram" + suffix, t.metric().label(), series, end));
            charts.add(DistributionCharts.cdf("Cumulative distribution" + suffix, t.metric().label(), series, end));
        }
        if (t.byBase()) {
            charts.add(0, plateauExamples(t.rows().stream().map(PaperTables.Row::type).distinct().toList()));
            return new Figure("Figure " + figureName(t) + " — " + t.title(), charts, 3, 480, 380, footnote);
        }
        return new Figure("Figure " + figureName(t) + " — " + t.title(), charts, 2, 560, 380, footnote);
    }

    /** One type's steps as a distribution series: whole-step bins and the CDF, labelled with its count. */
    public static DistributionCharts.Series distribution(TargetType type, double[] v, int steps, double end) {
        Histograms.Counts h = Histograms.ofSteps(v, steps);
        Histograms.Cdf f = Histograms.cdf(v, end);
        return new DistributionCharts.Series(type.label() + " (n " + v.length + ")", Palette.color(type), h.edges(),
                h.counts(), f.x(), f.y());
    }

    /** Figure 3's first panel: one L2 curve from each base type, with the AP threshold. */
    private Chart plateauExamples(List<TargetType> bases) {
        Chart c = new Chart("Example: L2 from each base").labels("step", "L2");
        List<PerturbationRecord> plateau = of(Experiment.PLATEAU);
        for (TargetType b : bases) {
            List<PerturbationRecord> rs = ofType(plateau, b, true);
            if (rs.isEmpty()) {
                continue;
            }
            PerturbationRecord r = rs.get(0);
            double[] y = new double[r.l2().length];
            for (int i = 0; i < y.length; i++) {
                y[i] = r.l2()[i];
            }
            c.line(b.label(), steps(y.length), y, Palette.color(b), false);
            int ap = r.metric(Metric.AP_L2);
            if (ap < y.length) {
                c.dots(null, new double[] {ap}, new double[] {y[ap]}, Palette.color(b));
            }
        }
        c.level("AP threshold " + results.settings().path("ap_threshold").asDouble(),
                results.settings().path("ap_threshold").asDouble(), Color.GRAY);
        return c;
    }

    /** E.1: how many latents are active, and how the value is spread over ranks. */
    Figure figureE1() {
        Chart count = new Chart("Active latents per activation").labels("active latents", "activations");
        Chart share = new Chart("Share of Σz by rank (mean)").labels("rank", "z_k / Σz").noLegend();
        double maxCount = results.latents().stream().mapToDouble(LatentRecord::activeCount).max().orElse(1);
        int width = (int) Math.max(1, Math.ceil((maxCount + 1) / 25));
        for (Map.Entry<TargetType, List<LatentRecord>> e : latentsByType().entrySet()) {
            Color c = Palette.color(e.getKey());
            double[] counts = e.getValue().stream().mapToDouble(LatentRecord::activeCount).toArray();
            Histograms.Counts h = Histograms.of(counts, 0, width, (int) Math.ceil((maxCount + 1) / width));
            count.histogram(e.getKey().label(), h.edges(), h.counts(), c);
            int ranks = LatentRecord.MAX_SHARES;
            double[] meanShare = new double[ranks];
            double[] rank = new double[ranks];
            for (int k = 0; k < ranks; k++) {
                rank[k] = k + 1;
                final int kk = k;
                meanShare[k] = e.getValue().stream().mapToDouble(l -> kk < l.shares().length ? l.shares()[kk] : 0)
                        .average().orElse(Double.NaN);
            }
            share.line(e.getKey().label(), rank, meanShare, c, false);
        }
        return new Figure("Figure E.1 — the SAE code of each kind of activation", List.of(count, share), 2, 560, 380,
                footnote);
    }

    /** E.2: cosine among the active latents' decoder rows. */
    Figure figureE2() {
        Chart pair = new Chart("Mean cosine among active latents").labels("mean pairwise cosine", "activations");
        Chart top = new Chart("Mean cosine to the strongest latent").labels("mean cosine to the top latent",
                "activations").noLegend();
        addCosines(pair, l -> l.meanPairwiseCos() == null ? Double.NaN : l.meanPairwiseCos());
        addCosines(top, l -> l.meanCosToTop() == null ? Double.NaN : l.meanCosToTop());
        return new Figure("Figure E.2 — how aligned the active latents are", List.of(pair, top), 2, 560, 380, footnote);
    }

    private void addCosines(Chart chart, ToDoubleFunction<LatentRecord> f) {
        double lo = results.latents().stream().mapToDouble(f).filter(Double::isFinite).min().orElse(0);
        double hi = results.latents().stream().mapToDouble(f).filter(Double::isFinite).max().orElse(1);
        double width = Math.max(1e-3, (hi - lo) / 24);
        for (Map.Entry<TargetType, List<LatentRecord>> e : latentsByType().entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(f).filter(Double::isFinite).toArray();
            Histograms.Counts h = Histograms.of(v, lo, width, 25);
            chart.histogram(e.getKey().label(), h.edges(), h.counts(), Palette.color(e.getKey()));
        }
    }

    private Map<TargetType, List<LatentRecord>> latentsByType() {
        Map<TargetType, List<LatentRecord>> out = new LinkedHashMap<>();
        for (TargetType t : TargetType.values()) {
            List<LatentRecord> of = results.latents().stream().filter(l -> l.type().equals(t.id())).toList();
            if (!of.isEmpty()) {
                out.put(t, of);
            }
        }
        return out;
    }

    private static double[] steps(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }
}
