package org.plateau.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import javafx.geometry.Point2D;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Circle;
import org.plateau.perturbation.Paper;
import org.plateau.perturbation.Metric;
import org.plateau.explore.Perturbation;
import org.plateau.plot.CurveCharts.Quantity;
import org.plateau.plot.Palette;

/**
 * L2 or KL against step for the perturbations on screen: one line per perturbation in its type's
 * colour, its MS step as a dot, the AP threshold as a dashed line (L2 only), the selected step as a
 * ring. Hovering reads values out; clicking selects a step.
 */
final class CurveChart extends VBox {

    private final Quantity quantity;
    private final LineChart<Number, Number> chart;
    private final NumberAxis xAxis = new NumberAxis("step", 0, 100, 10);
    private final Label readout = new Label(" ");
    private List<Perturbation> shown = List.of();
    private IntConsumer onStepClicked = step -> {};
    /** The MS dots, per perturbation shown: what tests and the screenshot check. */
    private final List<XYChart.Data<Number, Number>> msDots = new ArrayList<>();

    CurveChart(Quantity quantity) {
        this.quantity = quantity;
        NumberAxis yAxis = new NumberAxis();
        yAxis.setLabel(quantity.axis);
        yAxis.setForceZeroInRange(true);
        xAxis.setAutoRanging(false);
        chart = new LineChart<>(xAxis, yAxis);
        chart.setTitle(quantity.title);
        chart.setAnimated(false);
        chart.setLegendVisible(false);
        chart.setCreateSymbols(true);
        chart.getStyleClass().add("curve-chart");
        chart.setMinHeight(180);
        readout.getStyleClass().add("readout");
        getChildren().addAll(chart, readout);
        VBox.setVgrow(chart, javafx.scene.layout.Priority.ALWAYS);
        chart.setOnMouseMoved(e -> {
            int step = stepAt(e.getScreenX(), e.getScreenY());
            readout.setText(step < 0 ? " " : describe(step));
        });
        chart.setOnMouseExited(e -> readout.setText(" "));
        chart.setOnMouseClicked(e -> {
            int step = stepAt(e.getScreenX(), e.getScreenY());
            if (step >= 0) {
                onStepClicked.accept(step);
            }
        });
    }

    LineChart<Number, Number> chart() {
        return chart;
    }

    void onStepClicked(IntConsumer handler) {
        this.onStepClicked = handler;
    }

    /** Shows these perturbations; {@code selected} is the step ringed (or −1). */
    void show(List<Perturbation> perturbations, int selected) {
        shown = List.copyOf(perturbations);
        chart.getData().clear();
        msDots.clear();
        // the axis follows the sweeps' step count
        int steps = shown.stream().mapToInt(p -> p.settings().steps()).max().orElse(Paper.STEPS);
        xAxis.setUpperBound(steps);
        xAxis.setTickUnit(steps <= 100 ? 10 : Math.ceil(steps / 100.0) * 10);
        if (quantity == Quantity.L2 && !shown.isEmpty()) {
            double t = shown.get(0).apThreshold();
            XYChart.Series<Number, Number> ap = series("AP threshold", new double[] {0, steps}, new double[] {t, t});
            chart.getData().add(ap);
            // inline: the chart's default series colours outrank a style class
            ap.getNode().setStyle("-fx-stroke: #888888; -fx-stroke-width: 1.2px; -fx-stroke-dash-array: 5 5;");
        }
        for (Perturbation p : shown) {
            double[] v = values(p);
            double[] x = new double[v.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;
            }
            XYChart.Series<Number, Number> line = series(p.targetType().label(), x, v);
            chart.getData().add(line);
            line.getNode().setStyle("-fx-stroke: " + Palette.hex(p.targetType()) + "; -fx-stroke-width: 2px;");
        }
        for (Perturbation p : shown) {
            int ms = ms(p);
            XYChart.Data<Number, Number> dot = new XYChart.Data<>(ms, values(p)[ms]);
            Circle c = new Circle(5.5);
            c.setStyle("-fx-fill: " + Palette.hex(p.targetType()) + "; -fx-stroke: white; -fx-stroke-width: 1.5;");
            dot.setNode(c);
            installTooltip(c, p.targetType().label() + ": MS step " + ms);
            XYChart.Series<Number, Number> s = new XYChart.Series<>();
            s.setName("MS " + p.targetType().id());
            s.getData().add(dot);
            chart.getData().add(s);
            msDots.add(dot);
            if (selected >= 0 && selected < values(p).length) {
                XYChart.Data<Number, Number> ring = new XYChart.Data<>(selected, values(p)[selected]);
                Circle r = new Circle(6);
                r.setStyle("-fx-fill: transparent; -fx-stroke: " + Palette.hex(p.targetType()) + "; -fx-stroke-width: 2;");
                ring.setNode(r);
                XYChart.Series<Number, Number> rs = new XYChart.Series<>();
                rs.getData().add(ring);
                chart.getData().add(rs);
            }
        }
    }

    /** The steps of the MS dots shown, in the order of the perturbations. */
    List<Integer> msSteps() {
        return msDots.stream().map(d -> d.getXValue().intValue()).toList();
    }

    /** Points of the first curve shown (the check that a sweep has 101). */
    int pointsOfFirstCurve() {
        return chart.getData().stream().filter(s -> s.getName() != null && !s.getName().startsWith("MS ")
                && !s.getName().equals("AP threshold")).findFirst().map(s -> s.getData().size()).orElse(0);
    }

    int curveCount() {
        return shown.size();
    }

    private XYChart.Series<Number, Number> series(String name, double[] x, double[] y) {
        XYChart.Series<Number, Number> s = new XYChart.Series<>();
        s.setName(name);
        for (int i = 0; i < x.length; i++) {
            XYChart.Data<Number, Number> d = new XYChart.Data<>(x[i], y[i]);
            Region none = new Region(); // no symbol on curve points
            none.setVisible(false);
            d.setNode(none);
            s.getData().add(d);
        }
        return s;
    }

    private double[] values(Perturbation p) {
        return quantity == Quantity.L2 ? p.curve().l2() : p.curve().kl();
    }

    private int ms(Perturbation p) {
        return p.metric(quantity == Quantity.L2 ? Metric.MS_L2 : Metric.MS_KL);
    }

    /** The step under the pointer, or −1 outside the sweep. */
    private int stepAt(double screenX, double screenY) {
        Point2D local = xAxis.screenToLocal(screenX, screenY);
        if (local == null || shown.isEmpty()) {
            return -1;
        }
        double v = xAxis.getValueForDisplay(local.getX()).doubleValue();
        long step = Math.round(v);
        return step < 0 || step >= values(shown.get(0)).length ? -1 : (int) step;
    }

    private String describe(int step) {
        StringBuilder b = new StringBuilder("step " + step + ":");
        for (Perturbation p : shown) {
            b.append("   ").append(p.targetType().id()).append(" ")
                    .append(String.format("%.4g", values(p)[step]));
        }
        return b.toString();
    }

    private static void installTooltip(javafx.scene.Node n, String text) {
        javafx.scene.control.Tooltip.install(n, new javafx.scene.control.Tooltip(text));
    }
}
