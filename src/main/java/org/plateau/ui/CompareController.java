package org.plateau.ui;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Platform;
import org.plateau.experiment.Lab;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.experiment.StudyResults;
import org.plateau.experiment.StudySettings;
import org.plateau.explore.Comparison;
import org.plateau.explore.Explorer;
import org.plateau.io.FileHashes;
import org.plateau.perturbation.TargetType;

/**
 * Compare: a batch of n perturbations per type, or a reproduce run opened from its folder, as
 * distributions; any perturbation of them opens in Explore, live when its model is loaded.
 */
final class CompareController {

    private final MainWindow w;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    /** How the perturbations shown were made, to reopen them; null if they cannot be. */
    private StudySettings settings;
    private boolean live;

    CompareController(MainWindow w) {
        this.w = w;
    }

    void runBatch(ComparePane.BatchRequest b) {
        Explorer ex = w.explorer();
        if (ex == null) {
            w.error("Load a model first.");
            return;
        }
        if (b.types().isEmpty()) {
            w.error("Check at least one target type to compare.");
            return;
        }
        Lab lab = ex.lab();
        if (lab.sae() == null && b.types().stream().anyMatch(TargetType::needsSae)) {
            w.error("The synthetic and SAE-reconstruction types need an SAE; choose one and load again.");
            return;
        }
        w.clearError();
        Comparison.Request r = new Comparison.Request(b.types(), b.mode(), b.n(), 0, w.perturbationSettings(lab));
        cancelled.set(false);
        w.compare.setRunning(true);
        w.tabs.getSelectionModel().select(1);
        String what = b.n() + " per type, " + b.mode().id() + " steps";
        long[] lastShown = {0};
        w.worker.batch(() -> Comparison.run(lab, r, new Comparison.Listener() {
            @Override
            public void fitting(long done, long total) {
                Platform.runLater(() -> w.compare.progress(0, 1, "Fitting the random-target distribution: " + done + " of "
                        + total + " activations…"));
            }

            @Override
            public void progress(int done, int total) {
                Platform.runLater(() -> w.compare.progress(done, total, "Batch: " + done + " of " + total + " bases done ("
                        + what + ")…"));
            }

            @Override
            public void partial(List<PerturbationRecord> soFar) {
                // the histograms fill as bases finish, a few times a second at most
                long now = System.nanoTime();
                if (now - lastShown[0] > 300_000_000L) {
                    lastShown[0] = now;
                    Platform.runLater(() -> w.compare.show(soFar, "Batch running: " + what + "…"));
                }
            }
        }, cancelled::get), result -> {
            w.compare.setRunning(false);
            settings = result.settings();
            live = true;
            int bases = result.records().isEmpty() ? 0 : result.records().get(result.records().size() - 1).index() + 1;
            w.compare.show(result.records(), result.complete() ? "Batch of " + what + ", seed 0."
                    : "Batch cancelled after " + bases + " of " + b.n() + " bases (" + what + "); what finished is shown.");
        });
    }

    void cancel() {
        cancelled.set(true);
        if (w.compare.isRunning()) {
            w.compare.status.setText("Cancelling after the current base…");
        }
    }

    /** A run read from its folder, and whether the loaded model is the one it was made with. */
    private record OpenedRun(StudyResults results, boolean live) {}

    /** Shows the distributions of a reproduce output folder. */
    void openRun(Path folder) {
        w.clearError();
        Explorer ex = w.explorer();
        w.worker.always(() -> {
            StudyResults r = StudyResults.read(folder.resolve(StudyResults.FILE_NAME));
            boolean sameModel = ex != null && ex.lab().modelDir() != null
                    && FileHashes.sha256(ex.lab().modelDir().resolve("model.safetensors"))
                            .equals(r.provenance().path("model").path("sha256").asText());
            return new OpenedRun(r, sameModel);
        }, opened -> {
            StudyResults r = opened.results();
            live = opened.live();
            int nLayer = r.provenance().path("model").path("n_layer").asInt(1000);
            settings = StudySettings.fromJson(r.settings(), nLayer);
            w.compare.show(r.perturbations(), "Run " + folder.getFileName() + ": " + r.settings().path("n").asText()
                    + " per type, model " + r.provenance().path("model").path("name").asText()
                    + (live ? " (loaded: perturbations open live)" : " (curves as recorded; load its model to open them live)")
                    + (r.demo() ? " — DEMO, random weights" : ""));
            w.tabs.getSelectionModel().select(1);
        });
    }

    /** Opens a perturbation of the compare view in the explorer. */
    void openRecord(PerturbationRecord record) {
        if (settings == null) {
            return;
        }
        Explorer ex = w.explorer();
        StudySettings s = settings;
        if (live && ex != null) {
            w.worker.latest("explore", () -> ex.reopen(record, s), w.exploring::open);
        } else {
            boolean text = record.baseTokens().length > 0 && (ex == null || ex.readsText());
            w.exploring.open(Explorer.stored(record, s, text));
        }
    }
}
