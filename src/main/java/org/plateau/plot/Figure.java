package org.plateau.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.util.List;

/**
 * A figure: a title, charts in a grid, and a footnote (what it shows; the demo notice when the data
 * are the demo's). Drawn with Java2D in points, so that one drawing gives the PNG, the SVG and the
 * PDF ({@link FigureFiles}) — of the report and of the window's exports alike.
 *
 * @param columns charts per row
 * @param panelWidth width of one chart in points
 * @param panelHeight height of one chart in points
 * @param footnote a line under the charts, or null
 */
public record Figure(String title, List<Chart> charts, int columns, int panelWidth, int panelHeight, String footnote) {

    static final int HEADER = 38;

    public Figure {
        charts = List.copyOf(charts);
    }

    /** The same figure with its charts in another size (a window export at the size asked). */
    public Figure sized(double widthPoints, double heightPoints) {
        int rows = rows();
        int footer = footnote == null ? 8 : 28;
        return new Figure(title, charts, columns, (int) Math.max(200, widthPoints / columns),
                (int) Math.max(150, (heightPoints - HEADER - footer) / rows), footnote);
    }

    private int rows() {
        return (charts.size() + columns - 1) / columns;
    }

    public int width() {
        return columns * panelWidth;
    }

    public int height() {
        return HEADER + rows() * panelHeight + (footnote == null ? 8 : 28);
    }

    /** Draws the figure at the origin of {@code g}, in points. */
    public void draw(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        g.drawString(title, 16, 26);
        for (int i = 0; i < charts.size(); i++) {
            charts.get(i).draw(g, (i % columns) * panelWidth, HEADER + (i / columns) * panelHeight, panelWidth, panelHeight);
        }
        if (footnote != null) {
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString(footnote, 16, height() - 10);
        }
    }
}
