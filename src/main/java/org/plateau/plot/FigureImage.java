package org.plateau.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.plateau.io.AtomicFiles;

/** Several charts in a grid under one title, rendered to a PNG without a display. */
public final class FigureImage {

    private FigureImage() {}

    /**
     * @param columns charts per row
     * @param panelWidth width of one chart in points
     * @param panelHeight height of one chart in points
     * @param scale pixels per point (2 for sharp figures on high-resolution screens and in print)
     * @param footnote a line under the charts (what the figure shows, settings), or null
     */
    public static BufferedImage render(String title, List<Chart> charts, int columns, int panelWidth, int panelHeight,
            double scale, String footnote) {
        int rows = (charts.size() + columns - 1) / columns;
        int header = 38;
        int footer = footnote == null ? 8 : 28;
        int width = columns * panelWidth;
        int height = header + rows * panelHeight + footer;
        BufferedImage image = new BufferedImage((int) Math.round(width * scale), (int) Math.round(height * scale),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.scale(scale, scale);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
            g.drawString(title, 16, 26);
            for (int i = 0; i < charts.size(); i++) {
                charts.get(i).draw(g, (i % columns) * panelWidth, header + (i / columns) * panelHeight,
                        panelWidth, panelHeight);
            }
            if (footnote != null) {
                g.setColor(Color.DARK_GRAY);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                g.drawString(footnote, 16, height - 10);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Writes a PNG atomically. */
    public static void write(BufferedImage image, Path file) {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new java.io.IOException("no PNG writer");
            }
        });
    }
}
