package org.plateau.report;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.plateau.experiment.LayerStudy.LayerRun;
import org.plateau.experiment.LayerSummary;
import org.plateau.experiment.StudyResults;
import org.plateau.io.AtomicFiles;
import org.plateau.metrics.DistributionStats;
import org.plateau.perturbation.TargetType;
import org.plateau.plot.Chart;
import org.plateau.plot.Figure;
import org.plateau.plot.FigureFormat;
import org.plateau.plot.Palette;

/**
 * A layer study shown across layers: {@code layers.md} (one table: per layer and type, MS of L2
 * in both step modes with KS against model-generated, and AP per base type) and three figures —
 * MS mean ± std against layer, KS against layer, AP against layer. Each layer's own report is in
 * its folder, drawn by {@link RunReport}.
 */
public final class LayerReport {

    private LayerReport() {}

    /** Writes each layer's report, then the summary across layers, figures in each of {@code formats}. */
    public static void write(List<LayerRun> runs, String release, Path out, List<FigureFormat> formats) {
        for (LayerRun r : runs) {
            RunReport.write(r.results(), r.dir(), formats);
        }
        LayerSummary summary = LayerSummary.of(runs);
        StudyResults first = runs.get(0).results();
        String footnote = (first.demo() ? MarkdownReport.DEMO_BANNER + "  " : "") + "Plateau · "
                + first.provenance().path("model").path("name").asText() + " · SAEs " + release + " · n "
                + first.settings().path("n").asText() + " per type · seed " + first.settings().path("seed").asText();
        Map<String, String> figures = new LinkedHashMap<>();
        Path dir = out.resolve("figures");
        if (summary.rows().stream().anyMatch(r -> r.msAbsolute().n() + r.msRelative().n() > 0)) {
            StudyFigures.write(dir, "layers-ms", new Figure("MS step of L2 against layer (mean ± std)",
                    List.of(chart(summary, "absolute steps", r -> r.msAbsolute(), true),
                            chart(summary, "relative steps", r -> r.msRelative(), true)), 2, 560, 400, footnote),
                    formats, figures, "MS step of L2 against layer, mean ± std per target type");
            StudyFigures.write(dir, "layers-ks", new Figure("KS against model-generated, MS step of L2, against layer",
                    List.of(ks(summary, "absolute steps", r -> r.msAbsolute()),
                            ks(summary, "relative steps", r -> r.msRelative())), 2, 560, 400, footnote),
                    formats, figures, "KS statistic of each type's MS distribution against model-generated, per layer");
        }
        if (summary.rows().stream().anyMatch(r -> r.ap().n() > 0)) {
            StudyFigures.write(dir, "layers-ap", new Figure("Activation plateau: AP step of L2 against layer (mean ± std)",
                    List.of(chart(summary, "from each base toward a random target", r -> r.ap(), false)), 1, 720, 420,
                    footnote), formats, figures, "AP step against layer, mean ± std per base type");
        }
        AtomicFiles.writeString(out.resolve(LayerSummary.FILE_NAME), markdown(summary, runs, release, figures));
    }

    private static Chart chart(LayerSummary s, String title, Function<LayerSummary.Row, DistributionStats> f,
            boolean targets) {
        Chart c = new Chart(title).labels("layer", targets ? "MS step (mean ± std)" : "AP step (mean ± std)").wholeX()
                .xRange(s.layers().get(0) - 0.5, s.layers().get(s.layers().size() - 1) + 0.5);
        List<TargetType> types = s.types().stream().filter(t -> s.rows().stream()
                .anyMatch(r -> r.type() == t && f.apply(r).n() > 0)).toList();
        for (int ti = 0; ti < types.size(); ti++) {
            TargetType t = types.get(ti);
            // each type's bars a little aside, so that they do not hide each other
            double dodge = types.size() == 1 ? 0 : 0.3 * (ti / (types.size() - 1.0) - 0.5);
            List<Integer> layers = s.layers();
            double[] x = new double[layers.size()];
            double[] mean = new double[x.length];
            double[] lo = new double[x.length];
            double[] hi = new double[x.length];
            boolean any = false;
            for (int k = 0; k < x.length; k++) {
                LayerSummary.Row r = s.row(layers.get(k), t);
                DistributionStats d = r == null ? null : f.apply(r);
                x[k] = layers.get(k) + dodge;
                mean[k] = d == null || d.n() == 0 ? Double.NaN : d.mean();
                lo[k] = mean[k] - (d == null ? 0 : d.std());
                hi[k] = mean[k] + (d == null ? 0 : d.std());
                any |= Double.isFinite(mean[k]);
            }
            if (!any) {
                continue;
            }
            Color color = Palette.color(t);
            c.errorBars(x, lo, hi, color);
            c.line(t.label(), x, mean, color, false);
            c.dots(null, x, mean, color);
        }
        return c;
    }

    private static Chart ks(LayerSummary s, String title, Function<LayerSummary.Row, DistributionStats> f) {
        Chart c = new Chart(title).labels("layer", "KS statistic").yRange(0, 1.02).wholeX()
                .xRange(s.layers().get(0) - 0.5, s.layers().get(s.layers().size() - 1) + 0.5);
        for (TargetType t : s.types()) {
            if (t == TargetType.MODEL_GENERATED) {
                continue; // the reference itself
            }
            List<Integer> layers = s.layers();
            double[] x = new double[layers.size()];
            double[] y = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                LayerSummary.Row r = s.row(layers.get(k), t);
                x[k] = layers.get(k);
                y[k] = r == null || f.apply(r).n() == 0 ? Double.NaN : f.apply(r).ks();
            }
            if (java.util.Arrays.stream(y).anyMatch(Double::isFinite)) {
                c.line(t.label(), x, y, Palette.color(t), false);
                c.dots(null, x, y, Palette.color(t));
            }
        }
        return c;
    }

    static String markdown(LayerSummary s, List<LayerRun> runs, String release, Map<String, String> figures) {
        StudyResults first = runs.get(0).results();
        StringBuilder b = new StringBuilder();
        if (first.demo()) {
            b.append("> **").append(MarkdownReport.DEMO_BANNER).append("**\n\n");
        }
        b.append("# Plateau — the study at every layer\n\n");
        b.append("Each layer L is perturbed in the residual stream at its own hook with layer L's SAE of `").append(release)
                .append("`; everything else is as in `reproduce` (settings below). Each layer's full run — results.json,"
                        + " report.md, figures — is in its `layer-LL/` folder. The paper studied layer 1 only.\n\n");
        b.append("| | |\n|---|---|\n");
        b.append("| model | ").append(first.provenance().path("model").path("source").asText()).append(" |\n");
        b.append("| SAEs | ").append(release).append(" |\n");
        b.append("| layers | ").append(String.join(", ", s.layers().stream().map(String::valueOf).toList())).append(" |\n");
        b.append("| perturbations per type and layer | ").append(first.settings().path("n").asText()).append(" |\n");
        b.append("| seed | ").append(first.settings().path("seed").asText()).append(" |\n");
        b.append("| read hook | `").append(first.settings().path("read").asText()).append("` |\n");
        b.append("| dataset | ").append(first.provenance().path("dataset").asText()).append(" |\n\n");
        b.append("## Across layers\n\n");
        b.append("MS is the max-slope step of L2 from a model-generated base toward each target type (mean ± population std;"
                + " KS against the same layer's model-generated row). AP is the first step whose L2 exceeds the threshold"
                + " from each base type toward a random target (").append(first.settings().path("steps").asInt() + 1)
                .append(" = beyond the sweep). — : not run for that type.\n\n");
        b.append("| layer | hook | type | n | MS abs | KS abs | MS rel | KS rel | AP |\n");
        b.append("|---:|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (LayerSummary.Row r : s.rows()) {
            int n = Math.max(r.msAbsolute().n(), Math.max(r.msRelative().n(), r.ap().n()));
            b.append("| ").append(r.layer()).append(" | `").append(r.hook()).append("` | ")
                    .append(r.type().extension() ? r.type().id() + " *(Plateau's extension)*" : r.type().id())
                    .append(" | ").append(n).append(" | ").append(pm(r.msAbsolute())).append(" | ")
                    .append(ks(r.msAbsolute())).append(" | ").append(pm(r.msRelative())).append(" | ")
                    .append(ks(r.msRelative())).append(" | ").append(pm(r.ap())).append(" |\n");
        }
        b.append('\n');
        for (Map.Entry<String, String> f : figures.entrySet()) {
            b.append("![").append(f.getValue()).append("](figures/").append(f.getKey()).append(")\n\n");
            b.append("*").append(f.getValue()).append(".*\n\n");
        }
        List<String> notes = new ArrayList<>();
        for (LayerRun r : runs) {
            for (String note : r.results().notes()) {
                if (!notes.contains(note)) {
                    notes.add(note);
                }
            }
        }
        if (!notes.isEmpty()) {
            b.append("## Notes from the layers' runs\n\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
            b.append('\n');
        }
        b.append("## Layers\n\n");
        for (LayerRun r : runs) {
            b.append("- layer ").append(r.layer().layer()).append(" (`").append(r.layer().hook().name()).append("`, SAE ")
                    .append(r.results().provenance().path("sae").path("source").asText(r.layer().sae())).append("): [")
                    .append(r.layer().folderName()).append("/report.md](").append(r.layer().folderName())
                    .append("/report.md)\n");
        }
        return b.toString();
    }

    private static String pm(DistributionStats d) {
        return d.n() == 0 ? "—" : MarkdownReport.num(d.mean(), 2) + " ± " + MarkdownReport.num(d.std(), 2);
    }

    private static String ks(DistributionStats d) {
        return d.n() == 0 ? "—" : MarkdownReport.num(d.ks(), 3);
    }
}
