package org.plateau.plot;

import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import de.rototor.pdfbox.graphics2d.IPdfBoxGraphics2DFontTextDrawer.IFontTextDrawerEnv;
import org.apache.batik.svggen.SVGGeneratorContext;
import org.apache.batik.svggen.SVGGraphics2D;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.plateau.io.AtomicFiles;

/**
 * A {@link Figure} written to a file, atomically: PNG at a number of pixels per point, SVG (Apache
 * Batik's SVGGraphics2D; text stays text) and PDF (PDFBox through pdfbox-graphics2d; one page of the
 * figure's size in points). The same Java2D drawing makes all three.
 */
public final class FigureFiles {

    private FigureFiles() {}

    /** Writes {@code figure} as {@code format}; {@code scale} is pixels per point for PNG. */
    public static void write(Figure figure, FigureFormat format, double scale, Path file) {
        switch (format) {
            case PNG -> AtomicFiles.write(file, out -> {
                if (!ImageIO.write(image(figure, scale), "png", out)) {
                    throw new IOException("no PNG writer");
                }
            });
            case SVG -> AtomicFiles.write(file, out -> {
                SVGGraphics2D g = svg(figure);
                figure.draw(g);
                Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                g.stream(g.getRoot(), w, true, false);
                w.flush();
            });
            case PDF -> AtomicFiles.write(file, out -> {
                try (PDDocument doc = new PDDocument()) {
                    PDPage page = new PDPage(new PDRectangle(figure.width(), figure.height()));
                    doc.addPage(page);
                    PdfBoxGraphics2D g = new PdfBoxGraphics2D(doc, figure.width(), figure.height());
                    g.setFontTextDrawer(textDrawer());
                    try {
                        figure.draw(g);
                    } finally {
                        g.dispose();
                    }
                    PDFormXObject form = g.getXFormObject();
                    try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
                        content.drawForm(form);
                    }
                    doc.save(out);
                }
            });
        }
    }

    /**
     * Text stays text in the PDF (searchable, selectable): the figures' sans-serif font is embedded
     * from the system's DejaVu Sans when it is found, else mapped to Helvetica; a glyph neither
     * covers is drawn as its outline.
     */
    private static de.rototor.pdfbox.graphics2d.PdfBoxGraphics2DFontTextDrawer textDrawer() {
        for (String dir : List.of("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
                "/usr/local/share/fonts")) {
            java.io.File plain = new java.io.File(dir, "DejaVuSans.ttf");
            java.io.File bold = new java.io.File(dir, "DejaVuSans-Bold.ttf");
            if (plain.isFile() && bold.isFile()) {
                return new DejaVuText(plain, bold);
            }
        }
        return new de.rototor.pdfbox.graphics2d.PdfBoxGraphics2DFontTextDrawerDefaultFonts();
    }

    /** The sans-serif font, plain or bold, embedded (as a subset) from the system's DejaVu Sans files. */
    private static final class DejaVuText extends de.rototor.pdfbox.graphics2d.PdfBoxGraphics2DFontTextDrawerDefaultFonts {
        private final java.io.File plain;
        private final java.io.File bold;
        private org.apache.pdfbox.pdmodel.font.PDFont plainFont;
        private org.apache.pdfbox.pdmodel.font.PDFont boldFont;

        DejaVuText(java.io.File plain, java.io.File bold) {
            this.plain = plain;
            this.bold = bold;
        }

        @Override
        protected org.apache.pdfbox.pdmodel.font.PDFont mapFont(java.awt.Font font, IFontTextDrawerEnv env)
                throws IOException, java.awt.FontFormatException {
            if (!font.getFamily().equals(java.awt.Font.SANS_SERIF) && !font.getFamily().equals(java.awt.Font.DIALOG)) {
                return super.mapFont(font, env);
            }
            if (font.isBold()) {
                if (boldFont == null) {
                    boldFont = org.apache.pdfbox.pdmodel.font.PDType0Font.load(env.getDocument(), bold);
                }
                return boldFont;
            }
            if (plainFont == null) {
                plainFont = org.apache.pdfbox.pdmodel.font.PDType0Font.load(env.getDocument(), plain);
            }
            return plainFont;
        }
    }

    /** The figure as pixels, {@code scale} per point. */
    public static BufferedImage image(Figure figure, double scale) {
        BufferedImage image = new BufferedImage((int) Math.round(figure.width() * scale),
                (int) Math.round(figure.height() * scale), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.scale(scale, scale);
            figure.draw(g);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static SVGGraphics2D svg(Figure figure) throws IOException {
        try {
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().getDOMImplementation()
                    .createDocument("http://www.w3.org/2000/svg", "svg", null);
            SVGGeneratorContext ctx = SVGGeneratorContext.createDefault(doc);
            ctx.setComment("Plateau figure");
            ctx.setEmbeddedFontsOn(false);
            SVGGraphics2D g = new SVGGraphics2D(ctx, false);
            g.setSVGCanvasSize(new java.awt.Dimension(figure.width(), figure.height()));
            return g;
        } catch (ParserConfigurationException e) {
            throw new IOException("no XML document builder (" + e.getMessage() + ")");
        }
    }
}
