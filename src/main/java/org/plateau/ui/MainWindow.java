package org.plateau.ui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.controlsfx.control.StatusBar;
import org.plateau.PlateauException;
import org.plateau.experiment.Lab;
import org.plateau.experiment.LabLoader;
import org.plateau.experiment.ModelCheck;
import org.plateau.experiment.PerturbationSettings;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.experiment.StudyResults;
import org.plateau.experiment.StudySettings;
import org.plateau.explore.Comparison;
import org.plateau.explore.ExploreRequest;
import org.plateau.explore.Explorer;
import org.plateau.explore.Perturbation;
import org.plateau.explore.UserSettings;
import org.plateau.hub.DownloadListener;
import org.plateau.hub.HubClient;
import org.plateau.hub.HubSettings;
import org.plateau.hub.ModelSources;
import org.plateau.io.Hashing;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.SweepSettings;
import org.plateau.perturbation.TargetType;
import org.plateau.plot.Palette;
import org.plateau.sae.SyntheticActivations;

/**
 * Plateau's window: the model bar on top, prompt and target on the left, and two views — Explore
 * (one base, its curves, latents at a chosen step) and Compare (distributions over many
 * perturbations). Engine work runs in the {@link Worker}; this class only wires and shows.
 */
public final class MainWindow {

    static final String STYLESHEET = MainWindow.class.getResource("/org/plateau/ui/plateau.css").toExternalForm();
    /** Latent bars shown per activation. */
    static final int LATENT_BARS = 12;

    final Stage stage;
    final ModelBar modelBar = new ModelBar(this::loadModel, this::loadDemo);
    final PromptBox prompt = new PromptBox(this::usePassage, this::useTyped, this::next, this::choosePromptSource);
    final TargetBox target = new TargetBox(this::targetChanged, this::redraw, this::clearOverlay);
    final ListView<Perturbation> history = new ListView<>();
    final ExplorePane explore = new ExplorePane();
    final ComparePane compare = new ComparePane(this::runBatch, this::cancelBatch);
    final TabPane tabs = new TabPane();
    final Label errorBanner = new Label();
    final StatusBar status = new StatusBar();
    /** The model check's outcome, beside the status text. */
    final Label checkLine = new Label();
    final Worker worker;
    final ExportActions exports;

    private UserSettings settings;
    private DownloadDialog downloads;
    /** Used inside worker jobs only; replaced when a model loads. */
    private volatile Explorer explorer;
    private int[] baseTokens;
    private long seed = 1;
    private final Set<TargetType> overlayTypes = new LinkedHashSet<>();
    private final ObservableList<Perturbation> historyItems = FXCollections.observableArrayList();
    private final AtomicBoolean batchCancelled = new AtomicBoolean();
    /** How the perturbations on the compare view were made, to reopen them; null if they cannot be. */
    private StudySettings compareSettings;
    private boolean compareLive;
    private boolean quiet;

    public MainWindow(Stage stage, UserSettings settings) {
        this.stage = stage;
        this.settings = settings;
        this.worker = new Worker(this::error, busy -> status.setProgress(busy ? -1 : 0));
        this.exports = new ExportActions(this);

        errorBanner.getStyleClass().add("error-banner");
        errorBanner.setId("errorBanner");
        errorBanner.setMaxWidth(Double.MAX_VALUE);
        errorBanner.setWrapText(true);
        errorBanner.setManaged(false);
        errorBanner.setVisible(false);
        errorBanner.setOnMouseClicked(e -> clearError());

        history.setId("history");
        history.setItems(historyItems);
        history.setPrefHeight(140);
        history.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Perturbation p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.describe());
                setStyle(empty || p == null ? "" : "-fx-text-fill: " + Palette.hex(p.targetType()) + ";");
            }
        });
        history.setOnMouseClicked(e -> {
            Perturbation p = history.getSelectionModel().getSelectedItem();
            if (p != null) {
                showPerturbations(List.of(p), p.tokenTexts());
            }
        });
        Label historyTitle = new Label("History");
        historyTitle.getStyleClass().add("section-title");
        VBox left = new VBox(4, prompt, target, historyTitle, history);
        left.setPadding(new Insets(6, 10, 10, 10));
        VBox.setVgrow(history, Priority.ALWAYS);
        ScrollPane leftScroll = new ScrollPane(left);
        leftScroll.setFitToWidth(true);
        leftScroll.setMinWidth(300);
        leftScroll.setPrefWidth(360);

        explore.l2.onStepClicked(this::selectStep);
        explore.kl.onStepClicked(this::selectStep);
        compare.onOpen(this::openRecord);
        Tab exploreTab = new Tab("Explore", explore);
        Tab compareTab = new Tab("Compare", compare);
        exploreTab.setClosable(false);
        compareTab.setClosable(false);
        tabs.getTabs().addAll(exploreTab, compareTab);
        tabs.setId("views");
        exports.installContextMenus();

        SplitPane main = new SplitPane(leftScroll, tabs);
        main.setDividerPositions(0.26);
        SplitPane.setResizableWithParent(leftScroll, false);
        status.setText("Load a model to begin.");
        status.setId("statusBar");
        checkLine.setId("checkLine");
        checkLine.setMaxWidth(520);
        status.getRightItems().add(checkLine);
        BorderPane root = new BorderPane(main);
        root.setTop(new VBox(new Menus(this).bar(), modelBar, errorBanner));
        root.setBottom(status);
        Scene scene = new Scene(root, settings.windowWidth(), settings.windowHeight());
        scene.getStylesheets().add(STYLESHEET);
        stage.setScene(scene);
        stage.setTitle("Plateau");
        var icon = MainWindow.class.getResourceAsStream("/org/plateau/ui/plateau.png");
        if (icon != null) {
            stage.getIcons().add(new javafx.scene.image.Image(icon));
        }
        stage.setOnCloseRequest(e -> close());
        applySettings(settings);
    }

    // ------------------------------------------------------------------ model

    /** The bundled random-weight model and SAE, for trying the window without a download. */
    void loadDemo() {
        modelBar.model.setText(ModelSources.DEMO);
        modelBar.sae.setText(ModelSources.DEMO);
        loadModel();
    }

    void loadModel() {
        clearError();
        String model = modelBar.model.getText().strip();
        String sae = modelBar.sae.getText().strip();
        if (model.isEmpty()) {
            error("Choose a model: a folder, a hub id such as gpt2, or press Use demo.");
            return;
        }
        Processing processing = Processing.parse(modelBar.processing.getValue());
        status.setText("Loading " + model + (sae.isEmpty() ? "" : " and " + sae) + "…");
        modelBar.load.setDisable(true);
        if (downloads == null) {
            downloads = new DownloadDialog(stage);
        }
        Explorer old = explorer;
        worker.always(() -> {
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
                    modelBar.load.setDisable(false);
                    downloads.hide();
                });
            }
        }, loaded -> {
            explorer = loaded;
            Lab lab = loaded.lab();
            var c = lab.model().config();
            modelBar.device.setText(deviceName(lab) + " · " + c.nLayer() + " blocks, width " + c.dModel()
                    + (lab.sae() == null ? " · no SAE" : " · SAE of " + lab.sae().width() + " latents"));
            stage.setTitle("Plateau — " + lab.modelSource()
                    + (lab.isDemo() ? " — DEMO: random weights, for trying the interface; not results" : ""));
            quiet = true;
            target.setLayers(c.nLayer(), settings.hook(), settings.read());
            prompt.source.getSelectionModel().select(PromptBox.SAMPLE);
            prompt.source.setDisable(!loaded.readsText());
            quiet = false;
            prompt.setPassages(loaded.passages());
            String note = lab.hookMismatch(HookPoint.parse(target.hook.getValue(), c.nLayer()));
            status.setText("Loaded " + lab.modelSource() + (note == null ? "." : ". " + note));
            checkLine.setText("");
            overlayTypes.clear();
            next();
            if (LabLoader.checksAutomatically(lab)) {
                HookPoint hook = HookPoint.parse(target.hook.getValue(), c.nLayer());
                checkLine.setText("Checking the model against its published output…");
                worker.always(() -> LabLoader.check(lab, hook), this::showCheck);
            }
        });
    }

    /** The model check's outcome: a line in the status bar, and the warning banner when it needs attention. */
    void showCheck(ModelCheck c) {
        checkLine.setText((c.warns() ? "⚠ " : ModelCheck.PASSED.equals(c.verdict()) ? "✓ " : "") + c.summary());
        checkLine.setTooltip(new javafx.scene.control.Tooltip(c.line()));
        if (c.warns()) {
            error("Model check: " + c.line());
        }
    }

    /** Where Next draws prompts from: the shipped passages, or the paper's OpenWebText rows. */
    void choosePromptSource(String choice) {
        Explorer ex = explorer;
        if (ex == null || quiet) {
            return;
        }
        boolean openWebText = choice.equals(PromptBox.OPENWEBTEXT);
        status.setText(openWebText ? "Fetching OpenWebText rows from the hub (once; then cached)…" : "Next draws from the sample prompts.");
        worker.always(() -> openWebText
                ? org.plateau.data.Datasets.open(org.plateau.hub.HubDataset.PAPER, ex.lab().model().config(), Lab.PROMPT_LENGTH)
                : org.plateau.data.Datasets.open(org.plateau.data.Datasets.SAMPLE_PROMPTS, ex.lab().model().config(),
                        Lab.PROMPT_LENGTH),
                d -> {
                    ex.usePrompts(d.prompts());
                    status.setText("Next draws from " + d.prompts().describe() + ".");
                });
    }

    static String deviceName(Lab lab) {
        var d = lab.model().device();
        return d.isGpu() ? "GPU " + d.getDeviceId() + " (CUDA)" : "CPU";
    }

    // ------------------------------------------------------------------ prompts

    void usePassage(String passage) {
        if (explorer == null || quiet) {
            return;
        }
        try {
            setBase(explorer.promptFromPassage(passage));
        } catch (PlateauException e) {
            error(e.getMessage());
        }
    }

    void useTyped(String text) {
        if (explorer == null) {
            error("Load a model first.");
            return;
        }
        try {
            setBase(explorer.parsePrompt(text));
        } catch (PlateauException e) {
            error(e.getMessage());
        }
    }

    private void setBase(int[] tokens) {
        baseTokens = tokens;
        prompt.showTokens(explorer.tokenTexts(tokens));
        explore();
    }

    /** A fresh random base and target. */
    void next() {
        if (explorer == null) {
            error("Load a model first.");
            return;
        }
        seed++;
        Explorer ex = explorer;
        long s = seed;
        List<ExploreRequest> requests = requests(null, s);
        run(() -> {
            int[] tokens = ex.drawPrompt(s);
            List<ExploreRequest> withBase = requests.stream().map(r -> withBase(r, tokens)).toList();
            return runAll(ex, withBase);
        });
    }

    /** Another target of the same types for the same base. */
    void redraw() {
        seed++;
        explore();
    }

    void targetChanged() {
        if (quiet) {
            return;
        }
        if (!target.overlay.isSelected()) {
            overlayTypes.clear();
        }
        explore();
    }

    /** Runs the current base against the selected type (and the overlaid ones). */
    void explore() {
        if (explorer == null || baseTokens == null || quiet) {
            return;
        }
        clearError();
        Explorer ex = explorer;
        List<ExploreRequest> requests = requests(baseTokens, seed);
        run(() -> runAll(ex, requests));
    }

    /** What a worker returns for the explorer: the base's tokens as text, and the perturbations. */
    private record Shown(List<String> tokenTexts, int[] tokens, List<Perturbation> perturbations, String targetText) {}

    private Shown runAll(Explorer ex, List<ExploreRequest> requests) {
        List<Perturbation> out = new ArrayList<>();
        for (ExploreRequest r : requests) {
            out.add(ex.run(r, done -> Platform.runLater(() -> status.setText("Fitting the random-target distribution: "
                    + done + " of " + r.settings().statsActivations() + " activations…"))));
        }
        Perturbation last = out.get(out.size() - 1);
        String targetText = last.target().tokens() == null ? describeTarget(last)
                : "target prompt: " + ex.promptText(last.target().tokens());
        return new Shown(ex.tokenTexts(requests.get(0).baseTokens()), requests.get(0).baseTokens(), out, targetText);
    }

    private static String describeTarget(Perturbation p) {
        if (p.target().synthesis() != null) {
            return "target: " + p.target().synthesis().chosen().size() + " latents, first " + p.target().synthesis().chosen()
                    .subList(0, Math.min(5, p.target().synthesis().chosen().size()));
        }
        return p.targetType() == TargetType.RANDOM ? "target: a draw from N(μ, Σ) of model activations" : " ";
    }

    private void run(Worker.Job<Shown> job) {
        worker.latest("explore", job, shown -> {
            baseTokens = shown.tokens();
            prompt.showTokens(shown.tokenTexts());
            target.targetPrompt.setText(shown.targetText());
            Perturbation main = shown.perturbations().get(shown.perturbations().size() - 1);
            historyItems.add(0, main);
            if (historyItems.size() > 200) {
                historyItems.remove(200, historyItems.size());
            }
            showPerturbations(shown.perturbations(), shown.tokenTexts());
            status.setText("MS step " + main.metric(Metric.MS_L2) + " for " + main.targetType().label() + ".");
        });
    }

    private void showPerturbations(List<Perturbation> ps, List<String> tokenTexts) {
        prompt.showTokens(tokenTexts);
        explore.show(ps, -1);
        explore.latents.showMessage(ps.stream().allMatch(Perturbation::hasVectors)
                ? "Click a chart to see the SAE latents at that step."
                : "These curves are as recorded; load the run's model and SAE to see latents.");
        tabs.getSelectionModel().select(0);
    }

    /** The requests for the selected type and, with overlay on, the others shown on this base. */
    private List<ExploreRequest> requests(int[] tokens, long s) {
        TargetType selected = target.type.getValue();
        if (target.overlay.isSelected()) {
            overlayTypes.remove(selected);
            overlayTypes.add(selected); // the selected type last: it is the one the summary and latents follow
        } else {
            overlayTypes.clear();
            overlayTypes.add(selected);
        }
        PerturbationSettings chosen = perturbationSettings(explorer.lab());
        List<ExploreRequest> out = new ArrayList<>();
        for (TargetType t : overlayTypes) {
            out.add(new ExploreRequest(tokens, t, null, target.mode.getValue(), s, chosen));
        }
        return out;
    }

    /** The settings the controls show, for the loaded model. */
    private PerturbationSettings perturbationSettings(Lab lab) {
        int n = lab.model().config().nLayer();
        return new PerturbationSettings(HookPoint.parse(target.hook.getValue(), n), HookPoint.parse(target.read.getValue(), n),
                target.stepSize.getValue(), SweepSettings.DEFAULT_STEPS, target.apThreshold.getValue(),
                SyntheticActivations.DEFAULT_TARGET_COS, settings.statsActivations());
    }

    private static ExploreRequest withBase(ExploreRequest r, int[] tokens) {
        return new ExploreRequest(tokens, r.type(), r.targetTokens(), r.mode(), r.seed(), r.settings());
    }

    void clearOverlay() {
        overlayTypes.clear();
        explore();
    }

    /** Rings a step on the charts and shows the latents there. */
    void selectStep(int step) {
        List<Perturbation> shown = explore.shown();
        if (shown.isEmpty()) {
            return;
        }
        explore.show(shown, step);
        Perturbation p = shown.get(shown.size() - 1);
        Explorer ex = explorer;
        if (ex == null || ex.lab().sae() == null) {
            explore.latents.showMessage("Load an SAE to see the latents at each step.");
            return;
        }
        if (!p.hasVectors()) {
            explore.latents.showMessage("These curves are as recorded; load the run's model and SAE to see latents.");
            return;
        }
        worker.latest("latents", () -> ex.latentsAt(p, step, LATENT_BARS),
                v -> explore.latents.show(v, Palette.hex(p.baseType()), Palette.hex(p.targetType())));
    }

    // ------------------------------------------------------------------ compare

    void runBatch(ComparePane.BatchRequest b) {
        if (explorer == null) {
            error("Load a model first.");
            return;
        }
        if (b.types().isEmpty()) {
            error("Check at least one target type to compare.");
            return;
        }
        Lab lab = explorer.lab();
        if (lab.sae() == null && b.types().stream().anyMatch(TargetType::needsSae)) {
            error("The synthetic and SAE-reconstruction types need an SAE; choose one and load again.");
            return;
        }
        clearError();
        Comparison.Request r = new Comparison.Request(b.types(), b.mode(), b.n(), 0, perturbationSettings(lab));
        batchCancelled.set(false);
        compare.setRunning(true);
        tabs.getSelectionModel().select(1);
        String what = b.n() + " per type, " + b.mode().id() + " steps";
        long[] lastShown = {0};
        worker.batch(() -> Comparison.run(lab, r, new Comparison.Listener() {
            @Override
            public void fitting(long done, long total) {
                Platform.runLater(() -> compare.progress(0, 1, "Fitting the random-target distribution: " + done + " of "
                        + total + " activations…"));
            }

            @Override
            public void progress(int done, int total) {
                Platform.runLater(() -> compare.progress(done, total, "Batch: " + done + " of " + total + " bases done ("
                        + what + ")…"));
            }

            @Override
            public void partial(List<PerturbationRecord> soFar) {
                long now = System.nanoTime();
                if (now - lastShown[0] > 700_000_000L) {
                    lastShown[0] = now;
                    Platform.runLater(() -> compare.show(soFar, "Batch running: " + what + "…"));
                }
            }
        }, batchCancelled::get), result -> {
            compare.setRunning(false);
            compareSettings = result.settings();
            compareLive = true;
            int bases = result.records().isEmpty() ? 0 : result.records().get(result.records().size() - 1).index() + 1;
            compare.show(result.records(), result.complete() ? "Batch of " + what + ", seed 0."
                    : "Batch cancelled after " + bases + " of " + b.n() + " bases (" + what + "); what finished is shown.");
        });
    }

    void cancelBatch() {
        batchCancelled.set(true);
        compare.status.setText("Cancelling after the current base…");
    }

    /** Shows the distributions of a reproduce output folder. */
    void openRun(Path folder) {
        clearError();
        Explorer ex = explorer;
        worker.always(() -> {
            StudyResults r = StudyResults.read(folder.resolve(StudyResults.FILE_NAME));
            boolean live = ex != null && ex.lab().modelDir() != null
                    && Hashing.sha256(ex.lab().modelDir().resolve("model.safetensors"))
                            .equals(r.provenance().path("model").path("sha256").asText());
            return new Object[] {r, live};
        }, result -> {
            StudyResults r = (StudyResults) result[0];
            compareLive = (Boolean) result[1];
            int nLayer = r.provenance().path("model").path("n_layer").asInt(1000);
            compareSettings = StudySettings.fromJson(r.settings(), nLayer);
            compare.show(r.perturbations(), "Run " + folder.getFileName() + ": " + r.settings().path("n").asText()
                    + " per type, model " + r.provenance().path("model").path("name").asText()
                    + (compareLive ? " (loaded: perturbations open live)" : " (curves as recorded; load its model to open them live)")
                    + (r.demo() ? " — DEMO, random weights" : ""));
            tabs.getSelectionModel().select(1);
        });
    }

    /** Opens a perturbation of the compare view in the explorer. */
    void openRecord(PerturbationRecord record) {
        if (compareSettings == null) {
            return;
        }
        Explorer ex = explorer;
        StudySettings s = compareSettings;
        if (compareLive && ex != null) {
            worker.latest("explore", () -> {
                Perturbation p = ex.reopen(record, s);
                return new Shown(p.tokenTexts(), p.baseTokens(), List.of(p), describeTarget(p));
            }, shown -> {
                Perturbation p = shown.perturbations().get(0);
                baseTokens = shown.tokens();
                historyItems.add(0, p);
                showPerturbations(shown.perturbations(), shown.tokenTexts());
            });
        } else {
            boolean text = record.baseTokens().length > 0 && compareVocabularyIsGpt2();
            Perturbation p = Explorer.stored(record, s, text);
            historyItems.add(0, p);
            showPerturbations(List.of(p), p.tokenTexts());
        }
    }

    private boolean compareVocabularyIsGpt2() {
        return explorer == null || explorer.readsText();
    }

    // ------------------------------------------------------------------ messages and settings

    void error(String message) {
        errorBanner.setText("⚠ " + message + "   (click to dismiss)");
        errorBanner.setManaged(true);
        errorBanner.setVisible(true);
        status.setText(message);
        compare.setRunning(false);
    }

    void clearError() {
        errorBanner.setManaged(false);
        errorBanner.setVisible(false);
        errorBanner.setText("");
    }

    String errorText() {
        return errorBanner.isVisible() ? errorBanner.getText() : "";
    }

    private void applySettings(UserSettings s) {
        quiet = true;
        modelBar.model.setText(s.model() == null ? "" : s.model());
        modelBar.sae.setText(s.sae() == null ? "" : s.sae());
        modelBar.processing.getSelectionModel().select(s.processing());
        try {
            target.type.getSelectionModel().select(TargetType.parse(s.targetType()));
            target.mode.getSelectionModel().select(StepMode.parse(s.mode()));
        } catch (PlateauException ignored) {
            // an old or edited settings file: keep the defaults
        }
        target.stepSize.getValueFactory().setValue(s.stepSize());
        target.apThreshold.getValueFactory().setValue(s.apThreshold());
        compare.n.getValueFactory().setValue(s.compareN());
        for (String t : s.compareTypes()) {
            try {
                compare.types.getCheckModel().check(TargetType.parse(t));
            } catch (PlateauException ignored) {
                // unknown type in the file
            }
        }
        quiet = false;
    }

    UserSettings currentSettings() {
        return new UserSettings(blankToNull(modelBar.model.getText()), blankToNull(modelBar.sae.getText()),
                modelBar.processing.getValue(), target.type.getValue().id(), target.mode.getValue().id(),
                target.stepSize.getValue(), target.hook.getValue() == null ? settings.hook() : target.hook.getValue(),
                target.read.getValue() == null ? settings.read() : target.read.getValue(), target.apThreshold.getValue(),
                compare.n.getValue(), compare.types.getCheckModel().getCheckedItems().stream().map(TargetType::id).toList(),
                compare.metric.getValue().id(), exports.width(), exports.height(), exports.scale(),
                stage.getWidth() > 0 ? stage.getWidth() : settings.windowWidth(),
                stage.getHeight() > 0 ? stage.getHeight() : settings.windowHeight(), settings.statsActivations());
    }

    UserSettings settings() {
        return settings;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Whether no engine work is queued or running. */
    boolean idle() {
        return worker.idle();
    }

    void close() {
        settings = currentSettings();
        settings.save();
        batchCancelled.set(true);
        worker.shutdown();
    }

    static HBox spacer() {
        HBox h = new HBox();
        HBox.setHgrow(h, Priority.ALWAYS);
        return h;
    }
}
