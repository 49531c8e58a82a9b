package org.plateau.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.PlateauException;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** One drawing, three files: PNG of the asked pixels, SVG that parses with its text, a PDF page of the figure's size. */
class FigureFilesTest {

    @TempDir
    Path tmp;

    static Figure figure() {
        double[] x = {0, 1, 2, 3, 4};
        Chart c = new Chart("L2 at the read hook").labels("step", "distance")
                .line("Model-generated", x, new double[] {0, 1, 4, 9, 16}, Color.BLACK, false)
                .line("Random (Gaussian)", x, new double[] {0, 2, 3, 5, 6}, Color.ORANGE, false)
                .dots(null, new double[] {2}, new double[] {4}, Color.BLACK);
        return new Figure("Figure X — a test figure", List.of(c, c), 2, 400, 300, "DEMO — footnote");
    }

    @Test
    void pngHasThePixelsAsked() throws Exception {
        Path png = tmp.resolve("f.png");
        FigureFiles.write(figure(), FigureFormat.PNG, 2, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(2 * 800, image.getWidth());
        assertEquals(2 * figure().height(), image.getHeight());
    }

    @Test
    void svgParsesAsXmlAndKeepsItsText() throws Exception {
        Path svg = tmp.resolve("f.svg");
        FigureFiles.write(figure(), FigureFormat.SVG, 1, svg);
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        assertEquals("800", doc.getDocumentElement().getAttribute("width"));
        NodeList texts = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "text");
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < texts.getLength(); i++) {
            all.append(texts.item(i).getTextContent()).append('\n');
        }
        for (String want : List.of("Figure X — a test figure", "L2 at the read hook", "step", "distance", "Model-generated",
                "DEMO — footnote")) {
            assertTrue(all.toString().contains(want), want + " in " + all);
        }
    }

    @Test
    void pdfIsOnePageOfTheFiguresSize() throws Exception {
        Path pdf = tmp.resolve("f.pdf");
        FigureFiles.write(figure(), FigureFormat.PDF, 1, pdf);
        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            assertEquals(1, doc.getNumberOfPages());
            PDRectangle box = doc.getPage(0).getMediaBox();
            assertEquals(800, box.getWidth(), 1e-3);
            assertEquals(figure().height(), box.getHeight(), 1e-3);
            String text = new PDFTextStripper().getText(doc);
            assertTrue(text.contains("L2 at the read hook"), text);
        }
        assertTrue(Files.size(pdf) > 1000);
    }

    @Test
    void formatsAreParsedAndBadOnesRefused() {
        assertEquals(List.of(FigureFormat.PNG, FigureFormat.SVG, FigureFormat.PDF), FigureFormat.parseList("png, svg,PDF,png"));
        PlateauException e = assertThrows(PlateauException.class, () -> FigureFormat.parseList("png,eps"));
        assertTrue(e.getMessage().contains("'eps'"), e.getMessage());
    }
}
