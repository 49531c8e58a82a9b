package org.plateau.ui;

import java.util.ArrayList;
import java.util.List;
import org.plateau.experiment.Lab;
import org.plateau.explore.Distributions;
import org.plateau.explore.Perturbation;
import org.plateau.metrics.Histograms;
import org.plateau.perturbation.Metric;
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
}
