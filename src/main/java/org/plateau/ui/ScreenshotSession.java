package org.plateau.ui;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.plateau.perturbation.Paper;
import org.plateau.perturbation.Metric;
import org.plateau.PlateauException;
import org.plateau.explore.UserSettings;
import org.plateau.perturbation.TargetType;

/**
 * {@code plateau screenshot}: opens the real window, plays a short scripted session — a
 * perturbation per target type, one of them examined at its MS step, a small batch — and saves a
 * PNG of each main view. The README's pictures come from it.
 */
public final class ScreenshotSession {

    /** What to load and where to write. */
    public record Script(Path model, Path sae, Path out, int batchN, int statsActivations, double width, double height,
            Path readSae) {}

    private static Script script;
    private static final List<String> written = new ArrayList<>();
    private static volatile String failure;
    /** Seconds from the start of the Java process to the window shown, and to the first curve drawn. */
    private static volatile double windowSeconds = Double.NaN;
    private static volatile double firstCurveSeconds = Double.NaN;

    public static double windowSeconds() {
        return windowSeconds;
    }

    public static double firstCurveSeconds() {
        return firstCurveSeconds;
    }

    private static double sinceStart() {
        return ProcessHandle.current().info().startInstant()
                .map(t -> java.time.Duration.between(t, java.time.Instant.now()).toMillis() / 1000.0).orElse(Double.NaN);
    }

    private ScreenshotSession() {}

    /** Runs the session; returns the files written. Throws with one sentence if a step failed. */
    public static List<String> run(Script s, PrintStream log) {
        quietJavaFxLogging();
        script = s;
        try {
            Files.createDirectories(s.out());
        } catch (java.io.IOException e) {
            throw new PlateauException("The folder " + s.out() + " cannot be created (" + e.getMessage() + ").");
        }
        try {
            Application.launch(ScriptedApp.class);
        } catch (RuntimeException | Error e) {
            throw new PlateauException("The window cannot open (" + e.getMessage() + "); run under a desktop session"
                    + " or xvfb-run.");
        }
        if (failure != null) {
            throw new PlateauException(failure);
        }
        return List.copyOf(written);
    }

    /** The JavaFX runtime warns, on every start, that it was loaded from the class path; that is intended. */
    public static void quietJavaFxLogging() {
        java.util.logging.Logger.getLogger("javafx").setLevel(java.util.logging.Level.SEVERE);
    }

    /** The application the session drives. */
    public static final class ScriptedApp extends Application {
        @Override
        public void start(Stage stage) {
            Script s = script;
            UserSettings defaults = UserSettings.defaults();
            UserSettings settings = new UserSettings(s.model().toString(), s.sae() == null ? null : s.sae().toString(),
                    "tl", "model-generated", "absolute", Paper.STEP_SIZE, defaults.hook(), defaults.read(), Paper.AP_THRESHOLD, s.batchN(),
                    defaults.compareTypes(), "ms_l2", 1200, 800, 1, s.width(), s.height(), s.statsActivations(), null);
            MainWindow w = new MainWindow(stage, settings);
            stage.setOnCloseRequest(e -> { }); // the script decides when to close; nothing is saved
            stage.show();
            windowSeconds = sinceStart();
            Thread t = new Thread(() -> play(w), "plateau-screenshot-script");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void play(MainWindow w) {
        try {
            fx(() -> {
                w.loadModel();
                return null;
            });
            settle(w);
            firstCurveSeconds = sinceStart();
            boolean withSae = script.sae() != null;
            // a perturbation per type, overlaid on one base
            fx(() -> {
                w.target.overlay.setSelected(true);
                return null;
            });
            for (TargetType t : TargetType.values()) {
                if (t.needsSae() && !withSae) {
                    continue;
                }
                fx(() -> {
                    w.target.type.getSelectionModel().select(t);
                    return null;
                });
                settle(w);
            }
            save(w, "overlay.png");
            // one type alone, its latents at the MS step
            fx(() -> {
                w.target.overlay.setSelected(false);
                w.target.type.getSelectionModel().select(withSae ? TargetType.SYNTHETIC_STRUCTURED : TargetType.RANDOM);
                return null;
            });
            settle(w);
            int ms = fx(() -> w.explore.shown().get(w.explore.shown().size() - 1).metric(Metric.MS_L2));
            fx(() -> {
                w.selectStep(ms);
                return null;
            });
            settle(w);
            save(w, "explore.png");
            if (withSae) {
                // the anatomy of the blow-up: the read layer (with a read-layer SAE) and the base's ablations
                if (script.readSae() != null) {
                    fx(() -> {
                        w.explore.side.getSelectionModel().select(1);
                        w.explore.readLayer.path.setText(script.readSae().toString());
                        w.explore.readLayer.load.fire();
                        return null;
                    });
                    settle(w);
                    int readMs = fx(() -> w.explore.shown().get(w.explore.shown().size() - 1).metric(Metric.MS_L2));
                    fx(() -> {
                        w.selectStep(readMs);
                        return null;
                    });
                    settle(w);
                    save(w, "read-layer.png");
                }
                fx(() -> {
                    w.explore.side.getSelectionModel().select(2);
                    return null;
                });
                settle(w);
                save(w, "ablation.png");
            }
            // a small batch, one bin listed
            fx(() -> {
                w.tabs.getSelectionModel().select(1);
                w.compare.run.fire();
                return null;
            });
            settle(w);
            fx(() -> {
                var view = w.compare.view();
                if (view != null && !view.types().isEmpty()) {
                    var first = view.types().get(0);
                    double[] counts = first.histogram().counts();
                    int fullest = 0;
                    for (int b = 1; b < counts.length; b++) {
                        fullest = counts[b] > counts[fullest] ? b : fullest;
                    }
                    w.compare.listBin(first.type(), fullest);
                }
                return null;
            });
            settle(w);
            save(w, "compare.png");
        } catch (Exception e) {
            failure = failure != null ? failure : "The scripted session stopped: " + e.getMessage();
        } finally {
            Platform.runLater(Platform::exit);
        }
    }

    /** Waits until the engine is idle and the window has drawn the result; fails on an error banner. */
    private static void settle(MainWindow w) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        Thread.sleep(150);
        while (!fx(w::idle)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the engine did not finish within 10 minutes");
            }
            Thread.sleep(50);
        }
        Thread.sleep(400); // a few frames for layout and drawing
        String error = fx(w::errorText);
        if (!error.isEmpty()) {
            failure = "The window showed an error: " + error.replace("⚠ ", "").replace("   (click to dismiss)", "");
            throw new IllegalStateException(failure);
        }
    }

    private static void save(MainWindow w, String name) throws Exception {
        Path file = script.out().resolve(name);
        fx(() -> {
            Snapshots.write(w.stage.getScene().getRoot(), 1, file);
            return null;
        });
        written.add(file.toString());
    }

    private static <T> T fx(Supplier<T> action) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(action.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(10, TimeUnit.MINUTES);
    }
}
