package org.plateau.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.plateau.experiment.Lab;
import org.plateau.explore.Ablation;
import org.plateau.explore.Distributions;
import org.plateau.explore.Perturbation;
import org.plateau.explore.ReadLayerView;
import org.plateau.metrics.Histograms;
import org.plateau.perturbation.Metric;
import org.plateau.plot.AnatomyCharts;
import org.plateau.plot.Chart;
import org.plateau.plot.CurveCharts;
import org.plateau.plot.DistributionCharts;
import org.plateau.plot.Figure;
import org.plateau.plot.Palette;
import org.plateau.report.StudyFigures;

/**
 * The window's charts as the report draws them: the same chart builders, the same labels and colours,
 * and a footnote that names the model and, for the demo, says the data are not results.
 */
final class ExportFigures {

    private ExportFigures() {}

    static String footnote(Lab lab) {
        if (lab == null) {
            return "Plateau";
        }
        return (lab.isDemo() ? Lab.DEMO_NOTICE + "  " : "") + "Plateau · " + lab.modelSource()
                + (lab.saeSource() == null ? "" : " · SAE " + lab.saeSource());
    }

    /** L2 or KL of the perturbations on screen, each with its MS dot. */
    static Figure curves(CurveCharts.Quantity q, List<Perturbation> shown, String footnote) {
        List<CurveCharts.Series> series = new ArrayList<>();
        for (Perturbation p : shown) {
            double[] v = q == CurveCharts.Quantity.L2 ? p.curve().l2() : p.curve().kl();
            series.add(new CurveCharts.Series(p.targetType().label(), Palette.color(p.targetType()), v,
                    p.metric(q == CurveCharts.Quantity.L2 ? Metric.MS_L2 : Metric.MS_KL), null));
        }
        Perturbation last = shown.get(shown.size() - 1);
        String title = q.title + " — " + last.settings().mode().id() + " steps from " + String.join("", last.tokenTexts());
        return new Figure(title.length() > 110 ? title.substring(0, 109) + "…" : title,
                List.of(CurveCharts.chart(q, series, last.apThreshold())), 1, 800, 460, footnote);
    }

    /** The histogram or the CDF of a compare view, per type. */
    static Figure distribution(Distributions.View view, boolean histogram, String footnote) {
        double end = Histograms.STEP_BIN * Histograms.stepBins(view.steps());
        List<DistributionCharts.Series> series = new ArrayList<>();
        for (Distributions.TypeDistribution t : view.types()) {
            series.add(StudyFigures.distribution(t.type(), t.values(), view.steps(), end));
        }
        String metric = view.metric().label();
        return new Figure(metric + " — " + view.slice(), List.of(histogram
                ? DistributionCharts.histogram("Histogram", metric, series, end)
                : DistributionCharts.cdf("Cumulative distribution", metric, series, end)), 1, 800, 460, footnote);
    }

    /** The read-layer view: its latents across the sweep, and what changed around the MS step. */
    static Figure readLayer(ReadLayerView v, String footnote) {
        List<Chart> charts = new ArrayList<>();
        charts.add(AnatomyCharts.readLayerStrip(v.strip().latents(), v.strip().values(), v.ms()));
        List<ReadLayerView.Change> changes = v.aroundMs();
        if (!changes.isEmpty()) {
            charts.add(AnatomyCharts.readLayerChanges(changes.stream().mapToInt(ReadLayerView.Change::latent).toArray(),
                    changes.stream().map(c -> c.kind().name().toLowerCase(Locale.ROOT)).toArray(String[]::new),
                    changes.stream().mapToDouble(ReadLayerView.Change::before).toArray(),
                    changes.stream().mapToDouble(ReadLayerView.Change::after).toArray(), v.ms()));
        }
        return new Figure("The read layer (" + v.hook() + ") across the blow-up", charts, charts.size(), 560, 420,
                footnote);
    }

    /** A base's ablations: L2 and KL of removing each of its latents, in the window's order. */
    static Figure ablation(List<Ablation> ablations, String footnote) {
        int[] latents = ablations.stream().mapToInt(Ablation::latent).toArray();
        return new Figure("Removing each latent of the base", List.of(
                AnatomyCharts.ablations(latents, ablations.stream().mapToDouble(Ablation::l2).toArray(), false),
                // a KL a rounding below zero is the zero it is
                AnatomyCharts.ablations(latents, ablations.stream().mapToDouble(a -> Math.max(0, a.kl())).toArray(), true)),
                2, 560, 420, footnote);
    }
}
