package org.plateau.ui;

import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.controlsfx.control.CheckComboBox;
import org.plateau.perturbation.Metric;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.explore.Distributions;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;
import org.plateau.plot.Palette;
import org.plateau.report.MarkdownReport;

/**
 * Distributions of a blow-up metric per type: from a batch run here, or from a reproduce run
 * opened from disk. Histogram (bins of 5 steps), CDF and the table of mean / std / KS beside the
 * paper's; clicking a bar lists its perturbations, and double-clicking one opens it.
 */
final class ComparePane extends VBox {

    /** What a batch should run. */
    record BatchRequest(List<TargetType> types, int n, StepMode mode) {}

    /** One row of the statistics table, as shown. */
    record StatRow(String type, String n, String mean, String paperMean, String std, String paperStd, String ks,
            String paperKs) {}

    final CheckComboBox<TargetType> types = new CheckComboBox<>(FXCollections.observableArrayList(TargetType.values()));
    final Spinner<Integer> n = new Spinner<>(1, 100_000, 50, 10);
    final ComboBox<StepMode> mode = new ComboBox<>(FXCollections.observableArrayList(StepMode.values()));
    final Button run = new Button("Run batch");
    final Button cancel = new Button("Cancel");
    final ProgressBar progress = new ProgressBar(0);
    final Label status = new Label("No distributions yet: run a batch, or open a reproduce folder (File ▸ Open run…).");
    final ComboBox<Distributions.Slice> slice = new ComboBox<>();
    final ComboBox<Metric> metric = new ComboBox<>(FXCollections.observableArrayList(Metric.values()));
    final BarChart<String, Number> histogram;
    final LineChart<Number, Number> cdf;
    final TableView<StatRow> table = new TableView<>();
    final ListView<PerturbationRecord> binList = new ListView<>();
    private final Label binTitle = new Label("Click a bar to list its perturbations.");

    private final HBox legendBox = new HBox();
    private List<PerturbationRecord> records = List.of();
    private Distributions.View view;
    private Consumer<PerturbationRecord> onOpen = r -> {};

    ComparePane(Consumer<BatchRequest> onRun, Runnable onCancel) {
        setSpacing(8);
        setPadding(new Insets(10));
        types.setConverter(TargetBox.shownAs(TargetType::label));
        types.setId("compareTypes");
        types.setTitle("Target types");
        n.setEditable(true);
        n.setPrefWidth(90);
        n.setId("compareN");
        mode.setId("compareMode");
        mode.setConverter(TargetBox.MODE_NAMES);
        mode.getSelectionModel().select(StepMode.ABSOLUTE);
        run.setId("runBatch");
        cancel.setId("cancelBatch");
        cancel.setDisable(true);
        progress.setPrefWidth(160);
        progress.setVisible(false);
        run.setTooltip(new Tooltip("Run n perturbations per checked type, each from its own model-generated base"));
        run.setOnAction(e -> onRun.accept(new BatchRequest(List.copyOf(types.getCheckModel().getCheckedItems()),
                n.getValue(), mode.getValue())));
        cancel.setOnAction(e -> onCancel.run());
        Label nLabel = new Label("n per type");
        HBox controls = new HBox(8, types, nLabel, n, mode, run, cancel, progress);
        controls.setAlignment(Pos.CENTER_LEFT);

        slice.setId("compareSlice");
        metric.setId("compareMetric");
        metric.setConverter(TargetBox.shownAs(Metric::label));
        metric.getSelectionModel().select(Metric.MS_L2);
        slice.valueProperty().addListener((o, a, b) -> redraw());
        metric.valueProperty().addListener((o, a, b) -> redraw());
        status.setId("compareStatus");
        status.setWrapText(true);
        HBox viewRow = new HBox(8, new Label("Show"), metric, new Label("for"), slice);
        viewRow.setAlignment(Pos.CENTER_LEFT);

        histogram = newHistogram();
        histogram.setId("histogram");
        cdf = newCdf();
        cdf.setId("cdf");
        HBox charts = new HBox(8, histogram, cdf);
        legendBox.setPadding(new Insets(0, 0, 0, 40));
        HBox.setHgrow(histogram, Priority.ALWAYS);
        HBox.setHgrow(cdf, Priority.ALWAYS);

        buildTable();
        binList.setId("binList");
        binList.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(PerturbationRecord r, boolean empty) {
                super.updateItem(r, empty);
                if (empty || r == null) {
                    setText(null);
                    return;
                }
                String what = r.experiment().equals("plateau") ? "base " + r.baseType() + " → random"
                        : "target " + r.targetType();
                StringBuilder line = new StringBuilder("#" + r.index() + "  " + what + " ");
                for (Metric m : Metric.values()) {
                    line.append(m == Metric.values()[0] ? " " : " · ").append(m.shortLabel()).append(' ').append(r.metric(m));
                }
                setText(line.toString());
            }
        });
        binList.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && binList.getSelectionModel().getSelectedItem() != null) {
                onOpen.accept(binList.getSelectionModel().getSelectedItem());
            }
        });
        binList.setOnKeyPressed(e -> {
            if (e.getCode() == javafx.scene.input.KeyCode.ENTER && binList.getSelectionModel().getSelectedItem() != null) {
                onOpen.accept(binList.getSelectionModel().getSelectedItem());
            }
        });
        VBox bin = new VBox(4, binTitle, binList);
        VBox.setVgrow(binList, Priority.ALWAYS);
        SplitPane bottom = new SplitPane(table, bin);
        bottom.setDividerPositions(0.62);
        getChildren().addAll(controls, status, viewRow, charts, legendBox, bottom);
        VBox.setVgrow(charts, Priority.ALWAYS);
        VBox.setVgrow(bottom, Priority.SOMETIMES);
    }

    void onOpen(Consumer<PerturbationRecord> handler) {
        this.onOpen = handler;
    }

    boolean isRunning() {
        return !cancel.isDisabled();
    }

    void setRunning(boolean running) {
        run.setDisable(running);
        cancel.setDisable(!running);
        progress.setVisible(running);
        if (running) {
            progress.setProgress(ProgressBar.INDETERMINATE_PROGRESS);
        }
    }

    void progress(int done, int total, String text) {
        progress.setProgress(total == 0 ? 0 : (double) done / total);
        status.setText(text);
    }

    Distributions.View view() {
        return view;
    }

    List<PerturbationRecord> records() {
        return records;
    }

    /** Shows a new set of perturbations (a batch, possibly partial, or a run opened from disk). */
    void show(List<PerturbationRecord> newRecords, String description) {
        records = List.copyOf(newRecords);
        status.setText(description);
        List<Distributions.Slice> slices = Distributions.slices(records);
        Distributions.Slice keep = slice.getValue();
        slice.setItems(FXCollections.observableArrayList(slices));
        slice.getSelectionModel().select(slices.contains(keep) ? keep : slices.isEmpty() ? null : slices.get(0));
        redraw();
    }

    private void redraw() {
        histogram.getData().clear();
        cdf.getData().clear();
        table.getItems().clear();
        binList.getItems().clear();
        legendBox.getChildren().clear();
        if (slice.getValue() == null || metric.getValue() == null) {
            view = null;
            return;
        }
        view = Distributions.of(records, slice.getValue(), metric.getValue());
        fill(histogram, cdf, view, this::listBin);
        legendBox.getChildren().setAll(legend(view));
        for (Distributions.TypeDistribution t : view.types()) {
            table.getItems().add(new StatRow(t.type().label(), Integer.toString(t.stats().n()),
                    MarkdownReport.num(t.stats().mean(), 2), t.paper() == null ? "—" : MarkdownReport.num(t.paper().mean(), 2),
                    MarkdownReport.num(t.stats().std(), 2), t.paper() == null ? "—" : MarkdownReport.num(t.paper().std(), 2),
                    MarkdownReport.num(t.stats().ks(), 3),
                    t.paper() == null || t.paper().ks() == null ? "—" : MarkdownReport.num(t.paper().ks(), 2)));
        }
        binTitle.setText("Click a bar to list its perturbations.");
    }

    static BarChart<String, Number> newHistogram() {
        CategoryAxis bins = new CategoryAxis();
        bins.setLabel("step");
        NumberAxis counts = new NumberAxis();
        counts.setLabel("perturbations");
        BarChart<String, Number> h = new BarChart<>(bins, counts);
        h.setTitle("Histogram (bins of 5 steps)");
        h.setAnimated(false);
        h.setLegendVisible(false);
        h.setBarGap(0);
        h.setCategoryGap(4);
        return h;
    }

    static LineChart<Number, Number> newCdf() {
        NumberAxis x = new NumberAxis("step", 0, 105, 10);
        x.setAutoRanging(false);
        NumberAxis y = new NumberAxis("fraction ≤ step", 0, 1, 0.2);
        y.setAutoRanging(false);
        LineChart<Number, Number> c = new LineChart<>(x, y);
        c.setTitle("Cumulative distribution");
        c.setAnimated(false);
        c.setCreateSymbols(false);
        c.setLegendVisible(false);
        return c;
    }

    /** Draws a view's histograms and CDFs, one colour per type; a click on a bar goes to {@code onBin}. */
    static void fill(BarChart<String, Number> histogram, LineChart<Number, Number> cdf, Distributions.View view,
            java.util.function.BiConsumer<TargetType, Integer> onBin) {
        histogram.setTitle(view.metric().label() + " — histogram (bins of " + Distributions.BIN + " steps)");
        cdf.setTitle(view.metric().label() + " — cumulative distribution");
        // the step axis reaches past the sweeps' end (step N + 1: no blow-up within the sweep)
        NumberAxis steps = (NumberAxis) cdf.getXAxis();
        steps.setUpperBound(Distributions.BIN * org.plateau.metrics.Histograms.stepBins(view.steps()));
        for (Distributions.TypeDistribution t : view.types()) {
            String colour = Palette.hex(t.type());
            XYChart.Series<String, Number> bars = new XYChart.Series<>();
            bars.setName(t.type().id());
            for (int b = 0; b < t.histogram().counts().length; b++) {
                bars.getData().add(new XYChart.Data<>(Distributions.binLabel(b), t.histogram().counts()[b]));
            }
            histogram.getData().add(bars);
            for (int b = 0; b < bars.getData().size(); b++) {
                int bin = b;
                var node = bars.getData().get(b).getNode();
                node.setStyle("-fx-bar-fill: " + colour + ";");
                Tooltip.install(node, new Tooltip(t.type().label() + ", steps " + Distributions.binLabel(b) + ": "
                        + (long) t.histogram().counts()[b]));
                node.setOnMouseClicked(e -> onBin.accept(t.type(), bin));
            }
            XYChart.Series<Number, Number> line = new XYChart.Series<>();
            line.setName(t.type().id());
            for (int i = 0; i < t.cdf().x().length; i++) {
                line.getData().add(new XYChart.Data<>(t.cdf().x()[i], t.cdf().y()[i]));
            }
            cdf.getData().add(line);
            line.getNode().setStyle("-fx-stroke: " + colour + "; -fx-stroke-width: 2px;");
        }
    }

    /** A legend of the types shown, in their colours. */
    static HBox legend(Distributions.View view) {
        HBox legend = new HBox(12);
        for (Distributions.TypeDistribution t : view.types()) {
            Region swatch = new Region();
            swatch.setMinSize(12, 12);
            swatch.setStyle("-fx-background-color: " + Palette.hex(t.type()) + ";");
            legend.getChildren().add(new HBox(4, swatch, new Label(t.type().label() + " (n " + t.stats().n() + ")")));
        }
        return legend;
    }

    /** Lists the perturbations of one bar. */
    void listBin(TargetType type, int bin) {
        List<PerturbationRecord> in = Distributions.inBin(records, slice.getValue(), metric.getValue(), type, bin);
        binList.getItems().setAll(in);
        binTitle.setText(type.label() + ", " + metric.getValue().label() + " in " + Distributions.binLabel(bin) + ": "
                + in.size() + " perturbations (double-click one to open it)");
    }

    /** The histogram's counts summed over bins, per type shown (tests check they add up to n). */
    java.util.Map<String, Double> histogramTotals() {
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (XYChart.Series<String, Number> s : histogram.getData()) {
            out.put(s.getName(), s.getData().stream().mapToDouble(d -> d.getYValue().doubleValue()).sum());
        }
        return out;
    }

    private void buildTable() {
        table.setId("statsTable");
        table.setPlaceholder(new Label("No distributions yet"));
        String[][] cols = {{"type", "type"}, {"n", "n"}, {"mean", "mean"}, {"paper mean", "paperMean"}, {"std", "std"},
            {"paper std", "paperStd"}, {"KS", "ks"}, {"paper KS", "paperKs"}};
        for (String[] c : cols) {
            TableColumn<StatRow, String> col = new TableColumn<>(c[0]);
            String field = c[1];
            col.setCellValueFactory(cell -> new ReadOnlyStringWrapper(switch (field) {
                case "type" -> cell.getValue().type();
                case "n" -> cell.getValue().n();
                case "mean" -> cell.getValue().mean();
                case "paperMean" -> cell.getValue().paperMean();
                case "std" -> cell.getValue().std();
                case "paperStd" -> cell.getValue().paperStd();
                case "ks" -> cell.getValue().ks();
                default -> cell.getValue().paperKs();
            }));
            col.setSortable(false);
            col.setPrefWidth(field.equals("type") ? 190 : 72);
            if (field.equals("ks")) {
                Label header = new Label("KS");
                header.setTooltip(new Tooltip("Two-sample Kolmogorov–Smirnov statistic against model-generated"));
                col.setGraphic(header);
                col.setText("");
            }
            table.getColumns().add(col);
        }
        table.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        table.setPrefHeight(200);
        Region spacer = new Region();
        spacer.setMinHeight(0);
    }
}
