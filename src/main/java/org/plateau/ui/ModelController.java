package org.plateau.ui;

import java.nio.file.Path;
import javafx.application.Platform;
import org.plateau.perturbation.Paper;
import org.plateau.PlateauException;
import org.plateau.experiment.Lab;
import org.plateau.experiment.LabLoader;
import org.plateau.experiment.ModelCheck;
import org.plateau.explore.Explorer;
import org.plateau.hub.DownloadListener;
import org.plateau.hub.HubClient;
import org.plateau.hub.HubSettings;
import org.plateau.hub.ModelSources;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;

/**
 * The model bar's work: loading what it names (downloads with a dialog), the model check's
 * outcome in the status bar, and where Next draws prompts from.
 */
final class ModelController {

    private final MainWindow w;
    private DownloadDialog downloads;
    /** The read-layer SAE in use, as the user named it (remembered in the settings), or null. */
    private String readSae;
    /** The read-layer SAE of the last session, loaded again with the first model; null once done. */
    private String restoreReadSae;

    ModelController(MainWindow w) {
        this.w = w;
    }

    /** The read-layer SAE in use, as the user named it, or null. */
    String readSae() {
        return readSae;
    }

    /** Loads {@code spec} as the read-layer SAE once the first model has loaded (the last session's choice). */
    void restoreReadSae(String spec) {
        restoreReadSae = spec == null || spec.isBlank() ? null : spec;
    }

    /** The bundled random-weight model and SAE, for trying the window without a download. */
    void loadDemo() {
        w.modelBar.model.setText(ModelSources.DEMO);
        w.modelBar.sae.setText(ModelSources.DEMO);
        load();
    }

    void load() {
        w.clearError();
        String model = w.modelBar.model.getText().strip();
        String sae = w.modelBar.sae.getText().strip();
        if (model.isEmpty()) {
            w.error("Choose a model: a folder, a hub id such as gpt2, or press Use demo.");
            return;
        }
        Processing processing = Processing.parse(w.modelBar.processing.getValue());
        w.status.setText("Loading " + model + (sae.isEmpty() ? "" : " and " + sae) + "…");
        w.modelBar.load.setDisable(true);
        if (downloads == null) {
            downloads = new DownloadDialog(w.stage);
        }
        Explorer old = w.explorer();
        w.worker.always(() -> {
            try {
                DownloadListener progress = (file, done, total) -> Platform.runLater(() -> downloads.show(file, done, total));
                Lab lab = LabLoader.open(new LabLoader.Request(model, sae, processing, Lab.deviceFromEnvironment()),
                        new HubClient(HubSettings.fromEnvironment()), progress);
                if (old != null) {
                    old.close();
                    old.lab().close();
                }
                return new Explorer(lab);
            } catch (PlateauException e) {
                boolean local = java.nio.file.Files.isDirectory(Path.of(model)) || model.equals(ModelSources.DEMO);
                throw local ? e : new PlateauException(e.getMessage().replaceAll("\\.$", "")
                        + ". Press Use demo to try Plateau with a small random-weight model.");
            } finally {
                Platform.runLater(() -> {
                    w.modelBar.load.setDisable(false);
                    downloads.hide();
                });
            }
        }, loaded -> {
            w.useExplorer(loaded);
            Lab lab = loaded.lab();
            var c = lab.model().config();
            w.modelBar.device.setText(deviceName(lab) + " · " + c.nLayer() + " blocks, width " + c.dModel()
                    + (lab.sae() == null ? " · no SAE" : " · SAE of " + lab.sae().width() + " latents"));
            w.stage.setTitle("Plateau — " + lab.modelSource()
                    + (lab.isDemo() ? " — DEMO: random weights, for trying the interface; not results" : ""));
            w.showDemoBanner(lab.isDemo());
            w.quiet(true);
            w.target.setLayers(c.nLayer(), w.settings().hook(), w.settings().read());
            w.prompt.source.getSelectionModel().select(PromptBox.SAMPLE);
            w.prompt.source.setDisable(!loaded.readsText());
            w.quiet(false);
            w.prompt.setPassages(loaded.passages());
            // the perturbed SAE's family may have one at the read hook: offered in the read-layer tab
            if (w.explore.readLayer.path.getText().isBlank()) {
                String readSae = LabLoader.saeAt(lab, HookPoint.parse(w.target.read.getValue(), c.nLayer()));
                w.explore.readLayer.path.setText(readSae == null ? "" : readSae);
            }
            String note = lab.hookMismatch(HookPoint.parse(w.target.hook.getValue(), c.nLayer()));
            w.status.setText("Loaded " + lab.modelSource() + (note == null ? "." : ". " + note));
            w.checkLine.setText("");
            w.exploring.start();
            readSae = null; // a new model starts without one
            if (restoreReadSae != null) {
                String spec = restoreReadSae;
                restoreReadSae = null;
                loadReadSae(spec);
            }
            if (LabLoader.checksAutomatically(lab)) {
                HookPoint hook = HookPoint.parse(w.target.hook.getValue(), c.nLayer());
                w.checkLine.setText("Checking the model against its published output…");
                w.worker.always(() -> LabLoader.check(lab, hook), this::showCheck);
            }
        });
    }

    /**
     * "Perturb at" changed: when the SAE was trained elsewhere and its release (or the folder it
     * sits in) has one for the new hook, offer to load that one; the model stays loaded.
     */
    void hookChanged() {
        Explorer ex = w.explorer();
        if (ex == null || w.quiet() || w.target.hook.getValue() == null) {
            w.showSaeOffer(null);
            return;
        }
        Lab lab = ex.lab();
        HookPoint hook = HookPoint.parse(w.target.hook.getValue(), lab.model().config().nLayer());
        String other = LabLoader.saeAt(lab, hook);
        if (other == null) {
            w.showSaeOffer(null);
            return;
        }
        w.showSaeOffer("The SAE was trained at " + lab.sae().config().hookName() + "; its family has one for "
                + hook.name() + ": " + other + ".");
        w.saeOfferLoad.setOnAction(e -> swapSae(other));
    }

    /** Loads another SAE beside the loaded model (downloading it if needed); the model is not loaded again. */
    void swapSae(String sae) {
        w.showSaeOffer(null);
        Explorer old = w.explorer();
        if (old == null) {
            return;
        }
        if (downloads == null) {
            downloads = new DownloadDialog(w.stage);
        }
        w.status.setText("Loading the SAE " + sae + "…");
        w.worker.always(() -> {
            try {
                DownloadListener progress = (file, done, total) -> Platform.runLater(() -> downloads.show(file, done, total));
                Lab lab = LabLoader.replacingSae(old.lab(), sae, new HubClient(HubSettings.fromEnvironment()), progress);
                old.close();
                old.lab().close(); // the model went to the new lab
                return new Explorer(lab);
            } finally {
                Platform.runLater(() -> downloads.hide());
            }
        }, loaded -> {
            w.useExplorer(loaded);
            w.quiet(true);
            w.modelBar.sae.setText(sae);
            w.quiet(false);
            Lab lab = loaded.lab();
            w.modelBar.device.setText(deviceName(lab) + " · " + lab.model().config().nLayer() + " blocks, width "
                    + lab.model().config().dModel() + " · SAE of " + lab.sae().width() + " latents");
            w.status.setText("Loaded the SAE " + lab.saeSource() + " (" + lab.sae().config().kind() + ", trained at "
                    + lab.sae().config().hookName() + ").");
            w.exploring.start();
        });
    }

    /**
     * Loads an SAE for the read hook beside the model (downloading it if needed); the perturbation
     * shown is run again so that its sweep carries the read activations.
     */
    void loadReadSae(String spec) {
        Explorer ex = w.explorer();
        if (ex == null) {
            w.error("Load a model first.");
            return;
        }
        if (spec.isEmpty()) {
            ex.lab().useReadSae(null);
            readSae = null;
            w.explore.readLayer.showMessage(ReadLayerPanel.NO_SAE);
            return;
        }
        if (downloads == null) {
            downloads = new DownloadDialog(w.stage);
        }
        w.status.setText("Loading the read-layer SAE " + spec + "…");
        w.worker.always(() -> {
            try {
                DownloadListener progress = (file, done, total) -> Platform.runLater(() -> downloads.show(file, done, total));
                var loaded = LabLoader.loadSae(spec, new HubClient(HubSettings.fromEnvironment()), progress,
                        ex.lab().model().config().dModel());
                ex.lab().useReadSae(loaded);
                return loaded;
            } finally {
                Platform.runLater(() -> downloads.hide());
            }
        }, loaded -> {
            readSae = spec;
            String read = w.target.read.getValue();
            String trained = loaded.sae().config().hookName();
            w.status.setText("Loaded the read-layer SAE " + loaded.source() + (trained.isEmpty() || trained.equals(read)
                    ? "." : "; it was trained at " + trained + ", not at the read hook " + read + "."));
            w.exploring.explore();
        });
    }

    /** The model check's outcome: a line in the w.status bar, and the warning banner when it needs attention. */
    void showCheck(ModelCheck c) {
        w.checkLine.setText((c.warns() ? "⚠ " : ModelCheck.PASSED.equals(c.verdict()) ? "✓ " : "") + c.summary());
        w.checkLine.setTooltip(new javafx.scene.control.Tooltip(c.line()));
        if (c.warns()) {
            w.error("Model check: " + c.line());
        }
    }

    /** Where Next draws prompts from: the shipped passages, or the paper's OpenWebText rows. */
    void choosePromptSource(String choice) {
        Explorer ex = w.explorer();
        if (ex == null || w.quiet()) {
            return;
        }
        boolean openWebText = choice.equals(PromptBox.OPENWEBTEXT);
        w.status.setText(openWebText ? "Fetching OpenWebText rows from the hub (once; then cached)…" : "Next draws from the sample prompts.");
        w.worker.always(() -> openWebText
                ? org.plateau.data.Datasets.open(org.plateau.hub.HubDataset.PAPER, ex.lab().model().config(), Paper.PROMPT_LENGTH)
                : org.plateau.data.Datasets.open(org.plateau.data.Datasets.SAMPLE_PROMPTS, ex.lab().model().config(),
                        Paper.PROMPT_LENGTH),
                d -> {
                    ex.usePrompts(d.prompts());
                    w.status.setText("Next draws from " + d.prompts().describe() + ".");
                });
    }

    static String deviceName(Lab lab) {
        var d = lab.model().device();
        return d.isGpu() ? "GPU " + d.getDeviceId() + " (CUDA)" : "CPU";
    }
}
