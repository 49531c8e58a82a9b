package org.plateau.ui;

import java.io.File;
import javafx.application.Platform;
import javafx.scene.control.Alert;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.input.KeyCombination;
import javafx.stage.DirectoryChooser;
import org.plateau.ui.ExportActions.Figure;

/** The menu bar, with the keyboard shortcuts of the window's main actions. */
final class Menus {

    private final MainWindow w;

    Menus(MainWindow w) {
        this.w = w;
    }

    MenuBar bar() {
        Menu file = new Menu("File", null,
                item("Load model and SAE", "Shortcut+L", w::loadModel),
                item("Open run folder…", "Shortcut+O", this::openRun),
                new SeparatorMenuItem(),
                item("Export L2 chart as PNG…", "Shortcut+E", () -> w.exports.askPng(Figure.L2)),
                item("Export KL chart as PNG…", null, () -> w.exports.askPng(Figure.KL)),
                item("Export latents as PNG…", null, () -> w.exports.askPng(Figure.LATENTS)),
                item("Export read layer as PNG, SVG or PDF…", null, () -> w.exports.askPng(Figure.READ_LAYER)),
                item("Export ablation as PNG, SVG or PDF…", null, () -> w.exports.askPng(Figure.ABLATION)),
                item("Export histogram as PNG…", null, () -> w.exports.askPng(Figure.HISTOGRAM)),
                item("Export CDF as PNG…", null, () -> w.exports.askPng(Figure.CDF)),
                item("Export window as PNG…", "Shortcut+Shift+E", () -> w.exports.askPng(Figure.WINDOW)),
                new SeparatorMenuItem(),
                item("Export curves as CSV…", null, () -> w.exports.askData(Figure.L2, "csv")),
                item("Export curves as JSON…", null, () -> w.exports.askData(Figure.L2, "json")),
                item("Export latents as CSV…", null, () -> w.exports.askData(Figure.LATENTS, "csv")),
                item("Export read layer as CSV…", null, () -> w.exports.askData(Figure.READ_LAYER, "csv")),
                item("Export ablation as CSV…", null, () -> w.exports.askData(Figure.ABLATION, "csv")),
                item("Export distributions as CSV…", null, () -> w.exports.askData(Figure.HISTOGRAM, "csv")),
                item("Export distributions as JSON…", null, () -> w.exports.askData(Figure.HISTOGRAM, "json")),
                item("Export statistics table as CSV…", null, () -> {
                    File f = w.exports.save("plateau-statistics.csv", "CSV file", "*.csv");
                    if (f != null) {
                        w.exports.exportStatistics(f.toPath());
                    }
                }),
                new SeparatorMenuItem(),
                item("Quit", "Shortcut+Q", () -> {
                    w.close();
                    Platform.exit();
                }));
        Menu run = new Menu("Run", null,
                item("Run again", "Shortcut+R", w.exploring::explore),
                item("Next perturbation", "Shortcut+N", w.exploring::next),
                item("Redraw target", "Shortcut+T", w.exploring::redraw),
                item("Clear overlay", null, w.exploring::clearOverlay),
                new SeparatorMenuItem(),
                item("Run batch", "Shortcut+B", () -> w.compare.run.fire()),
                item("Cancel batch", "Shortcut+Period", w.comparing::cancel));
        Menu view = new Menu("View", null,
                item("Explore", "Shortcut+1", () -> w.tabs.getSelectionModel().select(0)),
                item("Compare", "Shortcut+2", () -> w.tabs.getSelectionModel().select(1)));
        Menu help = new Menu("Help", null, item("Keyboard shortcuts", "F1", this::shortcuts), item("About Plateau", null, this::about));
        return new MenuBar(file, run, view, help);
    }

    private static MenuItem item(String text, String accelerator, Runnable action) {
        MenuItem i = new MenuItem(text);
        if (accelerator != null) {
            i.setAccelerator(KeyCombination.keyCombination(accelerator));
        }
        i.setOnAction(e -> action.run());
        return i;
    }

    private void openRun() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Open a reproduce output folder");
        File dir = chooser.showDialog(w.stage);
        if (dir != null) {
            w.openRun(dir.toPath());
        }
    }

    private void shortcuts() {
        info("Keyboard shortcuts", """
                Ctrl+L  load model and SAE        Ctrl+O  open a reproduce run folder
                Ctrl+R  run again                  Ctrl+N  next perturbation (new base and target)
                Ctrl+T  redraw the target          Ctrl+B  run a batch     Ctrl+.  cancel it
                Ctrl+E  export the L2 chart        Ctrl+Shift+E  export the window
                Ctrl+1  Explore view               Ctrl+2  Compare view
                Click a chart to see the latents at that step; right-click a chart to export it.""");
    }

    private void about() {
        info("About Plateau", "Plateau " + org.plateau.Version.current() + "\n\nDo activations composed of SAE latents behave"
                + " like GPT-2's own? An explorer for \"Evaluating Synthetic Activations composed of SAE Latents in GPT-2\""
                + " (Giglemiani et al.).");
    }

    private void info(String title, String text) {
        Alert a = new Alert(Alert.AlertType.INFORMATION, text);
        a.setTitle(title);
        a.setHeaderText(title);
        a.getDialogPane().setStyle("-fx-font-family: monospace;");
        a.showAndWait();
    }
}
