package org.plateau.ui;

import java.util.ArrayList;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Spinner;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.plateau.perturbation.Paper;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;
import org.plateau.plot.Palette;

/** The target and the sweep: type, target prompt, step mode and size, hooks, AP threshold, overlay. */
final class TargetBox extends VBox {

    final ComboBox<TargetType> type = new ComboBox<>(FXCollections.observableArrayList(TargetType.values()));
    final Label targetPrompt = new Label(" ");
    final Button redraw = new Button("Redraw");
    final ComboBox<StepMode> mode = new ComboBox<>(FXCollections.observableArrayList(StepMode.values()));
    final Spinner<Double> stepSize = new Spinner<>(0.01, 20.0, Paper.STEP_SIZE, 0.05);
    final Spinner<Integer> steps = new Spinner<>(10, 1000, Paper.STEPS, 10);
    final ComboBox<String> hook = new ComboBox<>();
    final ComboBox<String> read = new ComboBox<>();
    final Spinner<Double> apThreshold = new Spinner<>(0.01, 10000.0, Paper.AP_THRESHOLD, 1.0);
    final CheckBox overlay = new CheckBox("Overlay types on this base");
    final Button clearOverlay = new Button("Clear");

    TargetBox(Runnable onChange, Runnable onRedraw, Runnable onClearOverlay) {
        setSpacing(5);
        Label title = new Label("Target and sweep");
        title.getStyleClass().add("section-title");
        type.setId("targetType");
        type.getSelectionModel().select(TargetType.MODEL_GENERATED);
        type.setCellFactory(v -> new TypeCell());
        type.setButtonCell(new TypeCell());
        type.setTooltip(new Tooltip("What the base activation is pushed toward (METHOD §4)"));
        targetPrompt.setId("targetPrompt");
        targetPrompt.setWrapText(true);
        targetPrompt.getStyleClass().add("hint");
        redraw.setId("redrawTarget");
        redraw.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        redraw.setTooltip(new Tooltip("Draw another target of this type for the same base (Ctrl+T)"));
        redraw.setOnAction(e -> onRedraw.run());
        mode.setId("stepMode");
        mode.setConverter(MODE_NAMES);
        mode.getSelectionModel().select(StepMode.ABSOLUTE);
        mode.setTooltip(new Tooltip("absolute: steps of fixed length toward the target; relative: the straight line from"
                + " base to target in as many steps"));
        steps.setEditable(true);
        steps.setId("sweepSteps");
        steps.setTooltip(new Tooltip("N: a sweep has N + 1 points (the paper: " + Paper.STEPS + ")"));
        stepSize.setEditable(true);
        stepSize.setId("stepSize");
        stepSize.setTooltip(new Tooltip("Length of an absolute step (the paper: 0.5)"));
        hook.setId("hook");
        read.setId("readHook");
        hook.setTooltip(new Tooltip("Where the last position is perturbed"));
        read.setTooltip(new Tooltip("Where the response (L2) is read"));
        apThreshold.setEditable(true);
        apThreshold.setId("apThreshold");
        apThreshold.setTooltip(new Tooltip("The activation plateau ends at the first step whose L2 exceeds this"));
        overlay.setId("overlay");
        overlay.setTooltip(new Tooltip("Keep the curves of other target types on the same base, to compare them"));
        clearOverlay.setOnAction(e -> onClearOverlay.run());
        clearOverlay.setTooltip(new Tooltip("Keep only the selected type's curve"));

        GridPane grid = new GridPane();
        grid.setHgap(6);
        grid.setVgap(5);
        int row = 0;
        grid.addRow(row++, new Label("Type"), type);
        grid.addRow(row++, new Label("Steps"), mode);
        grid.addRow(row++, new Label("Step size"), stepSize);
        grid.addRow(row++, new Label("Sweep steps"), steps);
        grid.addRow(row++, new Label("Perturb at"), hook);
        grid.addRow(row++, new Label("Read at"), read);
        grid.addRow(row, new Label("AP threshold"), apThreshold);
        for (var c : List.of(type, mode, hook, read)) {
            c.setMaxWidth(Double.MAX_VALUE);
        }
        // labels keep their full width; the choices take what is left
        javafx.scene.layout.ColumnConstraints labels = new javafx.scene.layout.ColumnConstraints();
        labels.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        javafx.scene.layout.ColumnConstraints fields = new javafx.scene.layout.ColumnConstraints();
        fields.setHgrow(javafx.scene.layout.Priority.ALWAYS);
        grid.getColumnConstraints().addAll(labels, fields);
        type.valueProperty().addListener((o, a, b) -> onChange.run());
        mode.valueProperty().addListener((o, a, b) -> onChange.run());
        stepSize.valueProperty().addListener((o, a, b) -> onChange.run());
        steps.valueProperty().addListener((o, a, b) -> onChange.run());
        hook.valueProperty().addListener((o, a, b) -> onChange.run());
        read.valueProperty().addListener((o, a, b) -> onChange.run());
        apThreshold.valueProperty().addListener((o, a, b) -> onChange.run());
        HBox targetRow = new HBox(6, targetPrompt, redraw);
        HBox.setHgrow(targetPrompt, javafx.scene.layout.Priority.ALWAYS);
        targetPrompt.setMaxWidth(Double.MAX_VALUE);
        getChildren().addAll(title, grid, targetRow, new HBox(6, overlay, clearOverlay));
    }

    /** Fills the hook choices for a model of {@code nLayer} blocks, keeping a valid choice. */
    /** The perturbation settings these controls show, for a model of {@code nLayer} blocks. */
    org.plateau.experiment.PerturbationSettings settings(int nLayer, int statsActivations) {
        return new org.plateau.experiment.PerturbationSettings(org.plateau.model.HookPoint.parse(hook.getValue(), nLayer),
                org.plateau.model.HookPoint.parse(read.getValue(), nLayer), stepSize.getValue(), steps.getValue(),
                apThreshold.getValue(),
                org.plateau.perturbation.Paper.TARGET_COS, statsActivations);
    }

    void setLayers(int nLayer, String wantHook, String wantRead) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < nLayer; i++) {
            names.add("blocks." + i + ".hook_resid_pre");
        }
        names.add("blocks." + (nLayer - 1) + ".hook_resid_post");
        hook.setItems(FXCollections.observableArrayList(names.subList(0, names.size() - 1)));
        read.setItems(FXCollections.observableArrayList(names));
        hook.getSelectionModel().select(names.contains(wantHook) ? wantHook : names.get(Math.min(1, nLayer - 1)));
        read.getSelectionModel().select(names.contains(wantRead) ? wantRead : names.get(names.size() - 1));
    }

    /** Type choices with their colour swatch. */
    private static final class TypeCell extends ListCell<TargetType> {
        @Override
        protected void updateItem(TargetType t, boolean empty) {
            super.updateItem(t, empty);
            if (empty || t == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            Region swatch = new Region();
            swatch.setMinSize(12, 12);
            swatch.setMaxSize(12, 12);
            swatch.setStyle("-fx-background-color: " + Palette.hex(t) + "; -fx-background-radius: 2;");
            setGraphic(swatch);
            setText(t.label());
        }
    }

    /** Step modes by their names on the command line. */
    static final javafx.util.StringConverter<StepMode> MODE_NAMES = shownAs(m -> m.id() + " steps");

    /** A choice box's items shown as {@code show} names them (the box never parses text back). */
    static <T> javafx.util.StringConverter<T> shownAs(java.util.function.Function<T, String> show) {
        return new javafx.util.StringConverter<>() {
            @Override
            public String toString(T t) {
                return t == null ? "" : show.apply(t);
            }

            @Override
            public T fromString(String s) {
                return null;
            }
        };
    }
}
