package org.plateau.report;

import java.nio.file.Path;
import java.util.Map;
import org.plateau.experiment.StudyResults;
import org.plateau.io.AtomicFiles;

/** What a finished study shows people, beside its results.json: figures/ and report.md, each written atomically. */
public final class RunReport {

    private RunReport() {}

    public static void write(StudyResults results, Path out) {
        Path figures = out.resolve("figures");
        String footnote = (results.demo() ? MarkdownReport.DEMO_BANNER + "  " : "")
                + "Plateau · " + results.provenance().path("model").path("name").asText()
                + (results.provenance().path("sae").isObject()
                        ? " · SAE " + results.provenance().path("sae").path("name").asText() : "")
                + " · n " + results.settings().path("n").asText() + " per type · seed " + results.settings().path("seed").asText();
        Map<String, String> written = new StudyFigures(results, footnote).writeAll(figures);
        AtomicFiles.writeString(out.resolve("report.md"), MarkdownReport.render(results, written));
    }
}
