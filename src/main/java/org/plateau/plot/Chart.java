package org.plateau.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * One panel of a figure: axes with ticks and labels, and marks drawn on them — lines (solid or
 * dashed), dots, histograms (translucent, outlined), bars over named categories and horizontal
 * reference lines. Draws on any Graphics2D, so it needs no display.
 */
public final class Chart {

    /** Something drawn on the axes. */
    private interface Mark {
        void draw(Graphics2D g, Scale sx, Scale sy, int bottom, double[] range);

        /** Legend text, or null to stay out of the legend. */
        String label();

        Color color();

        /** The x values, then the y values, that the axes must show. */
        double[][] extent();

        /** The legend's sample of this mark, 18 points wide, centred vertically on {@code y}. */
        default void drawKey(Graphics2D g, int x, int y) {
            g.setColor(color());
            g.setStroke(new BasicStroke(2f));
            g.draw(new Line2D.Double(x, y, x + 18, y));
        }
    }

    private record Line(String label, double[] x, double[] y, Color color, boolean dashed, float width) implements Mark {
        @Override
        public void draw(Graphics2D g, Scale sx, Scale sy, int bottom, double[] range) {
            g.setColor(color);
            g.setStroke(stroke());
            Path2D p = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < x.length; i++) {
                if (!Double.isFinite(y[i])) {
                    started = false;
                    continue;
                }
                double px = sx.at(x[i]);
                double py = sy.at(y[i]);
                if (started) {
                    p.lineTo(px, py);
                } else {
                    p.moveTo(px, py);
                    started = true;
                }
            }
            g.draw(p);
        }

        private BasicStroke stroke() {
            return dashed
                    ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {6, 4}, 0)
                    : new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        }

        @Override
        public double[][] extent() {
            return new double[][] {x, y};
        }

        @Override
        public void drawKey(Graphics2D g, int kx, int ky) {
            g.setColor(color);
            g.setStroke(dashed ? stroke() : new BasicStroke(2f));
            g.draw(new Line2D.Double(kx, ky, kx + 18, ky));
        }
    }

    private record Dots(String label, double[] x, double[] y, Color color) implements Mark {
        @Override
        public void draw(Graphics2D g, Scale sx, Scale sy, int bottom, double[] range) {
            for (int i = 0; i < x.length; i++) {
                dot(g, sx.at(x[i]), sy.at(y[i]), 9);
            }
        }

        private void dot(Graphics2D g, double px, double py, double size) {
            Ellipse2D e = new Ellipse2D.Double(px - size / 2, py - size / 2, size, size);
            g.setColor(color);
            g.fill(e);
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(1.2f));
            g.draw(e);
        }

        @Override
        public double[][] extent() {
            return new double[][] {x, y};
        }

        @Override
        public void drawKey(Graphics2D g, int kx, int ky) {
            dot(g, kx + 9, ky, 9);
        }
    }

    private record Histogram(String label, double[] edges, double[] heights, Color color) implements Mark {
        @Override
        public void draw(Graphics2D g, Scale sx, Scale sy, int bottom, double[] range) {
            Path2D outline = new Path2D.Double();
            outline.moveTo(sx.at(edges[0]), bottom);
            for (int i = 0; i < heights.length; i++) {
                double top = sy.at(heights[i]);
                outline.lineTo(sx.at(edges[i]), top);
                outline.lineTo(sx.at(edges[i + 1]), top);
            }
            outline.lineTo(sx.at(edges[edges.length - 1]), bottom);
            filled(g, outline, color, 45, 1.6f);
        }

        @Override
        public double[][] extent() {
            return new double[][] {edges, java.util.Arrays.copyOf(heights, heights.length + 1)}; // and 0
        }

        @Override
        public void drawKey(Graphics2D g, int kx, int ky) {
            filled(g, new Rectangle2D.Double(kx, ky - 5, 18, 10), color, 90, 1f);
        }
    }

    /** One bar per category, at x = 0, 1, 2, …, from zero to its value. */
    private record Bars(String label, double[] values, Color color) implements Mark {
        @Override
        public void draw(Graphics2D g, Scale sx, Scale sy, int bottom, double[] range) {
            double zero = sy.at(0);
            for (int i = 0; i < values.length; i++) {
                if (!Double.isFinite(values[i])) {
                    continue;
                }
                double a = sx.at(i - 0.36);
                double b = sx.at(i + 0.36);
                double v = sy.at(values[i]);
                filled(g, new Rectangle2D.Double(a, Math.min(v, zero), b - a, Math.abs(zero - v)), color, 150, 1f);
            }
        }

        @Override
        public double[][] extent() {
            double[] x = new double[values.length + 1];
            for (int i = 0; i < values.length; i++) {
                x[i] = i;
            }
            x[values.length] = 0;
            return new double[][] {x, java.util.Arrays.copyOf(values, values.length + 1)}; // and 0
        }

        @Override
        public void drawKey(Graphics2D g, int kx, int ky) {
            g.setColor(translucent(color, 150));
            g.fillRect(kx, ky - 5, 18, 10);
        }
    }

    private record Level(String label, double y, Color color) implements Mark {
        @Override
        public void draw(Graphics2D g, Scale sx, Scale sy, int bottom, double[] range) {
            g.setColor(color);
            g.setStroke(DOTTED);
            double py = sy.at(y);
            g.draw(new Line2D.Double(sx.at(range[0]), py, sx.at(range[1]), py));
        }

        @Override
        public double[][] extent() {
            return new double[][] {{}, {y}};
        }

        @Override
        public void drawKey(Graphics2D g, int kx, int ky) {
            g.setColor(color);
            g.setStroke(DOTTED);
            g.draw(new Line2D.Double(kx, ky, kx + 18, ky));
        }
    }

    /** A vertical bar from lo[i] to hi[i] at each x[i], capped (mean ± std); stays out of the legend. */
    private record ErrorBars(String label, double[] x, double[] lo, double[] hi, Color color) implements Mark {
        @Override
        public void draw(Graphics2D g, Scale sx, Scale sy, int bottom, double[] range) {
            g.setColor(color);
            g.setStroke(new BasicStroke(1.3f));
            for (int i = 0; i < x.length; i++) {
                if (!Double.isFinite(lo[i]) || !Double.isFinite(hi[i])) {
                    continue;
                }
                double px = sx.at(x[i]);
                double a = sy.at(lo[i]);
                double b = sy.at(hi[i]);
                g.draw(new Line2D.Double(px, a, px, b));
                g.draw(new Line2D.Double(px - 3, a, px + 3, a));
                g.draw(new Line2D.Double(px - 3, b, px + 3, b));
            }
        }

        @Override
        public double[][] extent() {
            double[] xs = new double[2 * x.length];
            double[] ys = new double[2 * x.length];
            for (int i = 0; i < x.length; i++) {
                xs[2 * i] = x[i];
                xs[2 * i + 1] = x[i];
                ys[2 * i] = lo[i];
                ys[2 * i + 1] = hi[i];
            }
            return new double[][] {xs, ys};
        }
    }

    private static final BasicStroke DOTTED =
            new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {3, 3}, 0);

    private static Color translucent(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    /** A shape filled with the colour made translucent, outlined in the colour itself. */
    private static void filled(Graphics2D g, Shape shape, Color c, int alpha, float outline) {
        g.setColor(translucent(c, alpha));
        g.fill(shape);
        g.setColor(c);
        g.setStroke(new BasicStroke(outline));
        g.draw(shape);
    }

    private final String title;
    private String xLabel = "";
    private String yLabel = "";
    private Double xMin;
    private Double xMax;
    private Double yMin;
    private Double yMax;
    private boolean legend = true;
    private boolean wholeX;
    /** Names of the x positions 0, 1, 2, … when x is categorical (bars), else null. */
    private String[] categories;
    private final List<Mark> marks = new ArrayList<>();

    public Chart(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    /** The axis labels, x then y. */
    public List<String> axisLabels() {
        return List.of(xLabel, yLabel);
    }

    /** The y values of the line with this legend label, or null. */
    public double[] lineValues(String label) {
        return marks.stream().filter(m -> m instanceof Line l && label.equals(l.label())).map(m -> ((Line) m).y())
                .findFirst().orElse(null);
    }

    /** The legend's entries, in order: what a chart shows, for comparing two drawings of the same data. */
    public List<String> legend() {
        return marks.stream().map(Mark::label).filter(java.util.Objects::nonNull).toList();
    }

    public Chart labels(String x, String y) {
        this.xLabel = x;
        this.yLabel = y;
        return this;
    }

    public Chart xRange(double min, double max) {
        xMin = min;
        xMax = max;
        return this;
    }

    public Chart yRange(double min, double max) {
        yMin = min;
        yMax = max;
        return this;
    }

    public Chart noLegend() {
        legend = false;
        return this;
    }

    /** A line through (x[i], y[i]); label null keeps it out of the legend. */
    public Chart line(String label, double[] x, double[] y, Color color, boolean dashed) {
        marks.add(new Line(label, x, y, color, dashed, dashed ? 1.6f : 1.8f));
        return this;
    }

    public Chart thinLine(double[] x, double[] y, Color color) {
        marks.add(new Line(null, x, y, color, false, 0.9f));
        return this;
    }

    public Chart dots(String label, double[] x, double[] y, Color color) {
        marks.add(new Dots(label, x, y, color));
        return this;
    }

    /** Bars between consecutive {@code edges}, one height each. */
    public Chart histogram(String label, double[] edges, double[] heights, Color color) {
        marks.add(new Histogram(label, edges, heights, color));
        return this;
    }

    /** Capped bars from lo to hi at each x (a spread around a point), not in the legend. */
    public Chart errorBars(double[] x, double[] lo, double[] hi, Color color) {
        marks.add(new ErrorBars(null, x, lo, hi, color));
        return this;
    }

    /** Bars, one per category at x = 0, 1, 2, … (name them with {@link #categories}). */
    public Chart bars(String label, double[] values, Color color) {
        marks.add(new Bars(label, values.clone(), color));
        return this;
    }

    /** A categorical x axis: position i is named {@code names[i]}. */
    public Chart categories(String... names) {
        categories = names.clone();
        return this;
    }

    /** Ticks on whole numbers only along x (layers, counts). */
    public Chart wholeX() {
        wholeX = true;
        return this;
    }

    public Chart level(String label, double y, Color color) {
        marks.add(new Level(label, y, color));
        return this;
    }

    /** Draws the chart into the rectangle (x, y, w, h) of {@code g}. */
    public void draw(Graphics2D g, int x, int y, int w, int h) {
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        int left = x + 62;
        int top = y + 30;
        int right = x + w - 14;
        int bottom = y + h - 44;
        double[] range = range();
        double x0 = range[0];
        double x1 = range[1];
        double y0 = range[2];
        double y1 = range[3];
        Scale sx = v -> left + (v - x0) / (x1 - x0) * (right - left);
        Scale sy = v -> bottom - (v - y0) / (y1 - y0) * (bottom - top);

        g.setColor(Color.BLACK);
        g.setFont(titleFont);
        g.drawString(title, x + (w - g.getFontMetrics().stringWidth(title)) / 2, y + 18);

        // grid and ticks
        g.setFont(tickFont);
        FontMetrics fm = g.getFontMetrics();
        if (categories != null) {
            // every k-th name, as many as fit side by side
            int widest = java.util.Arrays.stream(categories).mapToInt(fm::stringWidth).max().orElse(0) + 8;
            int every = Math.max(1, (int) Math.ceil(categories.length * (double) widest / Math.max(1, right - left)));
            for (int i = 0; i < categories.length; i += every) {
                float px = (float) sx.at(i);
                g.setColor(Color.DARK_GRAY);
                g.drawString(categories[i], px - fm.stringWidth(categories[i]) / 2f, bottom + 15);
            }
        } else {
            double xs = wholeX ? Math.max(1, Ticks.step(x0, x1, 8)) : Ticks.step(x0, x1, 8);
            for (double v : wholeX ? Ticks.at(x0, x1, (int) Math.max(1, Math.round((x1 - x0) / xs))) : Ticks.at(x0, x1, 8)) {
                float px = (float) sx.at(v);
                g.setColor(new Color(0, 0, 0, 25));
                g.draw(new Line2D.Float(px, top, px, bottom));
                g.setColor(Color.DARK_GRAY);
                String s = Ticks.format(v, xs);
                g.drawString(s, px - fm.stringWidth(s) / 2f, bottom + 15);
            }
        }
        double ys = Ticks.step(y0, y1, 6);
        for (double v : Ticks.at(y0, y1, 6)) {
            float py = (float) sy.at(v);
            g.setColor(new Color(0, 0, 0, 25));
            g.draw(new Line2D.Float(left, py, right, py));
            g.setColor(Color.DARK_GRAY);
            String s = Ticks.format(v, ys);
            g.drawString(s, left - 6 - fm.stringWidth(s), py + 4);
        }
        g.setColor(Color.GRAY);
        g.drawRect(left, top, right - left, bottom - top);

        // axis labels
        g.setFont(labelFont);
        g.setColor(Color.BLACK);
        FontMetrics lm = g.getFontMetrics();
        g.drawString(xLabel, (left + right - lm.stringWidth(xLabel)) / 2f, y + h - 12);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(top + bottom + lm.stringWidth(yLabel)) / 2f, x + 16);
        g.setTransform(saved);

        Shape clip = g.getClip();
        g.clipRect(left, top - 4, right - left + 1, bottom - top + 8);
        for (Mark m : marks) {
            m.draw(g, sx, sy, bottom, range);
            g.setStroke(new BasicStroke(1f));
        }
        g.setClip(clip);
        if (legend) {
            drawLegend(g, left, right, top, bottom, sx, sy);
        }
    }

    @FunctionalInterface
    private interface Scale {
        double at(double v);
    }

    /** The legend in whichever corner hides the fewest data points (top right when tied). */
    private void drawLegend(Graphics2D g, int left, int right, int top, int bottom, Scale sx, Scale sy) {
        List<Mark> labelled = marks.stream().filter(m -> m.label() != null).toList();
        if (labelled.isEmpty()) {
            return;
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        int width = labelled.stream().mapToInt(m -> fm.stringWidth(m.label())).max().orElse(0) + 34;
        int height = labelled.size() * 16 + 8;
        int[][] corners = {{right - width - 6, top + 6}, {left + 6, top + 6}, {right - width - 6, bottom - height - 6},
            {left + 6, bottom - height - 6}};
        int lx = corners[0][0];
        int ly = corners[0][1];
        long fewest = Long.MAX_VALUE;
        for (int[] c : corners) {
            Rectangle2D box = new Rectangle2D.Double(c[0], c[1], width, height);
            long hidden = 0;
            for (Mark m : marks) {
                double[][] e = m.extent();
                for (int i = 0; i < Math.min(e[0].length, e[1].length); i++) {
                    hidden += Double.isFinite(e[1][i]) && box.contains(sx.at(e[0][i]), sy.at(e[1][i])) ? 1 : 0;
                }
            }
            if (hidden < fewest) {
                fewest = hidden;
                lx = c[0];
                ly = c[1];
            }
        }
        g.setColor(new Color(255, 255, 255, 215));
        g.fill(new Rectangle2D.Double(lx, ly, width, height));
        g.setColor(new Color(0, 0, 0, 60));
        g.draw(new Rectangle2D.Double(lx, ly, width, height));
        int row = ly + 16;
        for (Mark m : labelled) {
            m.drawKey(g, lx + 6, row - 4);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(m.label(), lx + 30, row);
            row += 16;
        }
    }

    /** [xMin, xMax, yMin, yMax]: fixed where set, otherwise from the data with a margin. */
    private double[] range() {
        double ax = Double.POSITIVE_INFINITY;
        double bx = Double.NEGATIVE_INFINITY;
        double ay = Double.POSITIVE_INFINITY;
        double by = Double.NEGATIVE_INFINITY;
        for (Mark m : marks) {
            double[][] e = m.extent();
            for (double v : e[0]) {
                if (Double.isFinite(v)) {
                    ax = Math.min(ax, v);
                    bx = Math.max(bx, v);
                }
            }
            for (double v : e[1]) {
                if (Double.isFinite(v)) {
                    ay = Math.min(ay, v);
                    by = Math.max(by, v);
                }
            }
        }
        if (!Double.isFinite(ax)) {
            ax = 0;
            bx = 1;
        }
        if (!Double.isFinite(ay)) {
            ay = 0;
            by = 1;
        }
        if (bx == ax) {
            bx = ax + 1;
        }
        if (by == ay) {
            by = ay + 1;
        }
        double pad = (by - ay) * 0.05;
        if (categories != null) {
            ax = -0.6;
            bx = Math.max(categories.length, 1) - 0.4;
        }
        // room below zero only for values that are really negative (bars of a change), not a rounding's −1e−9
        double low = Math.min(0, ay);
        if (low < -0.01 * (by - ay)) {
            low -= pad;
        }
        return new double[] {xMin != null ? xMin : ax, xMax != null ? xMax : bx,
                yMin != null ? yMin : low, yMax != null ? yMax : by + pad};
    }
}
