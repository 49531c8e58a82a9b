package org.plateau;

import org.plateau.cli.Cli;

/**
 * Entry point. With no arguments it opens the desktop explorer; with a command it runs headless
 * and prints one JSON object.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // The CPU natives ship inside the program; never reach for the network to find them.
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // the environment is changed here, before any other thread could read it
        org.plateau.model.MklKernels.configure();
        // no command opens the window, through the same command as `plateau window`
        String[] command = args.length == 0 ? new String[] {"window"} : args;
        System.exit(withDesktopCommands(new Cli()).run(command, System.out, System.err));
    }

    /** Commands that open the window live beside the engine's, so that the engine never touches JavaFX. */
    static Cli withDesktopCommands(Cli cli) {
        cli.with("window", "opens the desktop explorer, as with no command; --lean-memory as for reproduce",
                Cli.leanMemoryUsage(), (o, out, err) -> {
                    Cli.useLeanMemory(o, err);
                    int code = openWindow();
                    if (code != 0) {
                        System.exit(code); // openWindow has said why
                    }
                });
        return cli.with("screenshot", "opens the window, plays a short scripted session and saves a PNG of each view",
                new org.plateau.cli.Usage()
                        .value("model", "DIR", "model folder")
                        .value("sae", "DIR", "SAE folder")
                        .value("read-sae", "DIR", "an SAE at the read hook: the read-layer and ablation views too")
                        .value("out", "DIR", "where the PNGs go (required)")
                        .value("n", "N", "perturbations per type of the batch (default 12)")
                        .value("stats-activations", "N", "activations behind random targets (default 4000)")
                        .value("width", "W", "window width in points (default 1500)")
                        .value("height", "H", "window height in points (default 950)"),
                (o, out, err) -> {
                    var files = org.plateau.ui.ScreenshotSession.run(new org.plateau.ui.ScreenshotSession.Script(
                            java.nio.file.Path.of(o.require("model")),
                            o.has("sae") ? java.nio.file.Path.of(o.get("sae", null)) : null,
                            java.nio.file.Path.of(o.require("out")), o.getInt("n", 12),
                            o.getInt("stats-activations", 4000), o.getDouble("width", 1500), o.getDouble("height", 950),
                            o.has("read-sae") ? java.nio.file.Path.of(o.get("read-sae", null)) : null),
                            err);
                    var json = org.plateau.io.Json.MAPPER.createObjectNode();
                    json.putPOJO("screenshots", files);
                    json.put("window_seconds", org.plateau.ui.ScreenshotSession.windowSeconds());
                    json.put("first_curve_seconds", org.plateau.ui.ScreenshotSession.firstCurveSeconds());
                    out.println(json.toPrettyString());
                });
    }

    /** The desktop explorer; without a display, one sentence saying so. */
    private static int openWindow() {
        try {
            org.plateau.ui.ScreenshotSession.quietJavaFxLogging();
            org.plateau.ui.PlateauApp.open(new String[0]);
            return 0;
        } catch (RuntimeException | Error e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            System.err.println("plateau: the window cannot open (" + why + "); a desktop session is needed,"
                    + " or use a command (plateau help).");
            return 1;
        }
    }
}
