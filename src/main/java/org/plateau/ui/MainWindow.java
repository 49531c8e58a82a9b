package org.plateau.ui;

import java.nio.file.Path;
import java.util.List;
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
import org.plateau.experiment.PerturbationSettings;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.explore.Explorer;
import org.plateau.explore.Perturbation;
import org.plateau.explore.UserSettings;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;
import org.plateau.plot.Palette;

/**
 * Plateau's window: the model bar on top, prompt and target on the left, and two views — Explore
 * (one base, its curves, latents at a chosen step) and Compare (distributions over many
 * perturbations). Engine work runs in the {@link Worker}; this class only wires and shows.
 */
public final class MainWindow {

    static final String STYLESHEET = MainWindow.class.getResource("/org/plateau/ui/plateau.css").toExternalForm();

    final Stage stage;
    final ExploreController exploring = new ExploreController(this);
    final CompareController comparing = new CompareController(this);
    final ModelController loading = new ModelController(this);
    final ModelBar modelBar = new ModelBar(loading::load, loading::loadDemo);
    final PromptBox prompt = new PromptBox(exploring::usePassage, exploring::useTyped, exploring::next,
            loading::choosePromptSource);
    final TargetBox target = new TargetBox(exploring::targetChanged, exploring::redraw, exploring::clearOverlay);
    final ListView<Perturbation> history = new ListView<>();
    final Explanations explanations = new Explanations(org.plateau.hub.Neuronpedia.fromEnvironment());
    final ExplorePane explore = new ExplorePane(explanations);
    final ComparePane compare = new ComparePane(comparing::runBatch, comparing::cancel);
    final TabPane tabs = new TabPane();
    final Label errorBanner = new Label();
    /** Says, inside the window (not only in its title bar), that the demo's curves are not results. */
    final Label demoBanner = new Label(Lab.DEMO_NOTICE);
    /** An offer to load the SAE of the hook just chosen (same release), with its two answers. */
    final Label saeOfferText = new Label();
    final javafx.scene.control.Button saeOfferLoad = new javafx.scene.control.Button("Load it");
    final javafx.scene.control.Button saeOfferDismiss = new javafx.scene.control.Button("Keep this SAE");
    final HBox saeOffer = new HBox(8, saeOfferText, spacer(), saeOfferLoad, saeOfferDismiss);
    final StatusBar status = new StatusBar();
    /** The model check's outcome, beside the status text. */
    final Label checkLine = new Label();
    final Worker worker;
    final ExportActions exports;

    private UserSettings settings;
    /** Used inside worker jobs only; replaced when a model loads. */
    private volatile Explorer explorer;
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
        demoBanner.getStyleClass().add("demo-banner");
        demoBanner.setId("demoBanner");
        demoBanner.setMaxWidth(Double.MAX_VALUE);
        showDemoBanner(false);
        saeOffer.getStyleClass().add("offer-banner");
        saeOffer.setId("saeOffer");
        saeOffer.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        saeOffer.setPadding(new Insets(4, 10, 4, 10));
        saeOfferLoad.setId("saeOfferLoad");
        saeOfferDismiss.setId("saeOfferDismiss");
        saeOfferText.setWrapText(true);
        showSaeOffer(null);
        saeOfferDismiss.setOnAction(e -> showSaeOffer(null));
        target.hook.valueProperty().addListener((o, a, b) -> loading.hookChanged());

        history.setId("history");
        history.setItems(exploring.history);
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
                exploring.show(List.of(p), p.tokenTexts());
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

        explore.ablation.onOpen(exploring::openAblation);
        explore.readLayer.onLoad(loading::loadReadSae);
        explore.l2.onStepClicked(exploring::selectStep);
        explore.kl.onStepClicked(exploring::selectStep);
        compare.onOpen(comparing::openRecord);
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
        root.setTop(new VBox(new Menus(this).bar(), modelBar, demoBanner, errorBanner, saeOffer));
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

    // ------------------------------------------------------------------ what the controllers share

    /** The loaded model's explorer, or null before one loads. */
    Explorer explorer() {
        return explorer;
    }

    void useExplorer(Explorer loaded) {
        explorer = loaded;
    }

    /** While controls are set from code, their change events start no work. */
    boolean quiet() {
        return quiet;
    }

    void quiet(boolean q) {
        quiet = q;
    }

    /** Loads the model and SAE the model bar names. */
    void loadModel() {
        loading.load();
    }

    /** The perturbation settings the controls show, for the loaded model. */
    PerturbationSettings perturbationSettings(Lab lab) {
        return target.settings(lab.model().config().nLayer(), settings.statsActivations());
    }

    /** Rings a step on the charts and shows the latents there. */
    void selectStep(int step) {
        exploring.selectStep(step);
    }

    /** Shows the distributions of a reproduce output folder. */
    void openRun(Path folder) {
        comparing.openRun(folder);
    }

    /** Opens a perturbation of the compare view in the explorer. */
    void openRecord(PerturbationRecord record) {
        comparing.openRecord(record);
    }

    // ------------------------------------------------------------------ messages and settings

    void error(String message) {
        errorBanner.setText("⚠ " + message + "   (click to dismiss)");
        errorBanner.setManaged(true);
        errorBanner.setVisible(true);
        status.setText(message);
        compare.setRunning(false);
    }

    void showDemoBanner(boolean demo) {
        demoBanner.setManaged(demo);
        demoBanner.setVisible(demo);
    }

    /** Shows the offer with its text, or hides it (null). */
    void showSaeOffer(String text) {
        saeOfferText.setText(text == null ? "" : text);
        saeOffer.setManaged(text != null);
        saeOffer.setVisible(text != null);
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
        explore.readLayer.path.setText(s.readSae() == null ? "" : s.readSae());
        loading.restoreReadSae(s.readSae());
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
                stage.getHeight() > 0 ? stage.getHeight() : settings.windowHeight(), settings.statsActivations(),
                loading.readSae());
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
        comparing.cancel();
        worker.shutdown();
        explanations.shutdown();
    }

    static HBox spacer() {
        HBox h = new HBox();
        HBox.setHgrow(h, Priority.ALWAYS);
        return h;
    }
}
