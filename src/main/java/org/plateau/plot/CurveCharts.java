package org.plateau.plot;

import java.awt.Color;
import java.util.List;

/**
 * L2 or KL against step, the one way: the report's figure 1 and the window's exported curve charts
 * both draw theirs here (title, axes, a line per perturbation in its type's colour, its MS step as a
 * dot, a dashed mean where there is one, the AP threshold dotted on L2).
 */
public final class CurveCharts {

    private CurveCharts() {}

    /** What a curve chart shows, with its title and axis. */
    public enum Quantity {
        L2("L2 at the read hook", "‖post(n) − post(0)‖₂"),
        KL("KL of the next-token distribution", "KL(p₀ ‖ pₙ)");

        public final String title;
        public final String axis;

        Quantity(String title, String axis) {
            this.title = title;
            this.axis = axis;
        }
    }

    /**
     * One curve.
     *
     * @param ms its MS step (drawn as a dot), or −1
     * @param mean a mean curve of its kind to draw dashed, or null
     */
    public record Series(String label, Color color, double[] values, int ms, double[] mean) {}

    /** @param apThreshold the AP level to mark on an L2 chart, or NaN */
    public static Chart chart(Quantity q, List<Series> series, double apThreshold) {
        Chart c = new Chart(q.title).labels("step", q.axis);
        boolean anyMean = false;
        for (Series s : series) {
            double[] x = steps(s.values().length);
            c.line(s.label(), x, s.values(), s.color(), false);
            if (s.mean() != null) {
                c.line(null, x, s.mean(), s.color(), true);
                anyMean = true;
            }
            if (s.ms() >= 0 && s.ms() < s.values().length) {
                c.dots(null, new double[] {s.ms()}, new double[] {s.values()[s.ms()]}, s.color());
            }
        }
        if (anyMean) {
            c.line("mean of all (dashed)", new double[0], new double[0], Color.GRAY, true);
        }
        if (q == Quantity.L2 && Double.isFinite(apThreshold)) {
            c.level("AP threshold " + apThreshold, apThreshold, Color.GRAY);
        }
        return c;
    }

    static double[] steps(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }
}
