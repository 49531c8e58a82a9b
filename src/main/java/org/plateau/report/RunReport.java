package org.plateau.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.plateau.plot.FigureFormat;
import org.plateau.experiment.StudyResults;
import org.plateau.io.AtomicFiles;

/** What a finished study shows people, beside its results.json: figures/ and report.md, each written atomically. */
public final class RunReport {

    private RunReport() {}

    public static void write(StudyResults results, Path out) {
        write(results, out, List.of(FigureFormat.PNG));
    }

    /** With figures in each of {@code formats} (the report shows the PNG when there is one). */
    public static void write(StudyResults results, Path out, List<FigureFormat> formats) {
        Path figures = out.resolve("figures");
        String footnote = (results.demo() ? MarkdownReport.DEMO_BANNER + "  " : "")
                + "Plateau · " + results.provenance().path("model").path("name").asText()
                + (results.provenance().path("sae").isObject()
                        ? " · SAE " + results.provenance().path("sae").path("name").asText() : "")
                + " · n " + results.settings().path("n").asText() + " per type · seed " + results.settings().path("seed").asText();
        Map<String, String> written = new StudyFigures(results, footnote).writeAll(figures, formats);
        AtomicFiles.writeString(out.resolve("report.md"), MarkdownReport.render(results, written));
    }
}
