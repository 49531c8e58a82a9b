package org.plateau.ui;

import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;

/** A small window that shows a download's progress while a model comes from the hub. */
final class DownloadDialog {

    private final Stage stage = new Stage();
    private final Label what = new Label();
    private final ProgressBar bar = new ProgressBar(0);
    private long startNanos;
    private long startDone;
    private long lastDone;
    private String file;

    DownloadDialog(Window owner) {
        stage.initOwner(owner);
        stage.initModality(Modality.NONE);
        stage.setTitle("Downloading from the hub");
        bar.setPrefWidth(380);
        VBox box = new VBox(10, what, bar, new Label("Files go into the Hugging Face cache and are reused next time."));
        box.setPadding(new Insets(14));
        stage.setScene(new Scene(box));
        stage.setResizable(false);
    }

    void show(String file, long done, long total) {
        if (!file.equals(this.file) || done < lastDone) {
            // a new transfer; bytes kept from an interrupted one do not count as speed
            this.file = file;
            startNanos = System.nanoTime();
            startDone = done;
        }
        lastDone = done;
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String speed = seconds < 0.05 ? "" : String.format(" · %.1f MB/s", (done - startDone) / 1e6 / seconds);
        what.setText(total > 0
                ? String.format("%s: %.1f of %.1f MB%s", file, done / 1e6, total / 1e6, speed)
                : String.format("%s: %.1f MB%s", file, done / 1e6, speed));
        bar.setProgress(total > 0 ? (double) done / total : ProgressBar.INDETERMINATE_PROGRESS);
        if (!stage.isShowing()) {
            stage.show();
        }
    }

    void hide() {
        stage.hide();
        file = null;
        lastDone = 0;
    }
}
