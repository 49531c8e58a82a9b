package org.plateau.plot;

import java.awt.Color;
import java.util.List;

/**
 * A metric's distribution per type, the one way: histogram (bars of whole steps) and cumulative
 * distribution. The report's figures and the window's exported distribution charts draw theirs here.
 */
public final class DistributionCharts {

    private DistributionCharts() {}

    /**
     * One type's distribution.
     *
     * @param label legend text ("Model-generated (n 1000)")
     * @param edges histogram bin edges; {@code counts} one per bin
     * @param cdfX the CDF's steps; {@code cdfY} the fraction at or below each
     */
    public record Series(String label, Color color, double[] edges, double[] counts, double[] cdfX, double[] cdfY) {}

    /** @param end the step axis' end (past the sweep, where "no blow-up" falls) */
    public static Chart histogram(String title, String metricLabel, List<Series> series, double end) {
        Chart c = new Chart(title).labels(metricLabel, "perturbations");
        for (Series s : series) {
            c.histogram(s.label(), s.edges(), s.counts(), s.color());
        }
        return c.xRange(0, end);
    }

    public static Chart cdf(String title, String metricLabel, List<Series> series, double end) {
        Chart c = new Chart(title).labels(metricLabel, "fraction ≤ step").yRange(0, 1.02).noLegend();
        for (Series s : series) {
            c.line(s.label(), s.cdfX(), s.cdfY(), s.color(), false);
        }
        return c.xRange(0, end);
    }
}
