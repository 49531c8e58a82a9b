package org.plateau.ui;

import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.plateau.perturbation.Metric;
import org.plateau.explore.Perturbation;
import org.plateau.plot.Palette;

/**
 * One perturbation, or several on one base: a summary line each, the L2 and KL charts, and beside them
 * the anatomy of the blow-up — the latents at the perturbed hook, the read layer through its own SAE,
 * and the base's latents ablated one by one.
 */
final class ExplorePane extends SplitPane {

    final VBox summary = new VBox(2);
    final CurveChart l2 = new CurveChart(org.plateau.plot.CurveCharts.Quantity.L2);
    final CurveChart kl = new CurveChart(org.plateau.plot.CurveCharts.Quantity.KL);
    final LatentPanel latents;
    final ReadLayerPanel readLayer;
    final AblationPanel ablation;
    final javafx.scene.control.TabPane side = new javafx.scene.control.TabPane();
    private List<Perturbation> shown = List.of();
    private int selectedStep = -1;

    ExplorePane(Explanations explanations) {
        latents = new LatentPanel(explanations);
        readLayer = new ReadLayerPanel(explanations);
        ablation = new AblationPanel(explanations);
        for (var t : List.of(new javafx.scene.control.Tab("Latents", latents),
                new javafx.scene.control.Tab("Read layer", readLayer), new javafx.scene.control.Tab("Ablation", ablation))) {
            t.setClosable(false);
            side.getTabs().add(t);
        }
        side.setId("anatomy");
        l2.setId("l2Chart");
        kl.setId("klChart");
        summary.setId("summary");
        summary.setPadding(new Insets(6, 10, 0, 10));
        VBox charts = new VBox(4, summary, l2, kl);
        VBox.setVgrow(l2, Priority.ALWAYS);
        VBox.setVgrow(kl, Priority.ALWAYS);
        getItems().addAll(charts, side);
        setDividerPositions(0.66);
        summary.getChildren().add(hint("Load a model, pick a prompt and a target type: the sweep runs as you choose."));
    }

    List<Perturbation> shown() {
        return shown;
    }

    int selectedStep() {
        return selectedStep;
    }

    void show(List<Perturbation> perturbations, int step) {
        shown = List.copyOf(perturbations);
        selectedStep = step;
        l2.show(shown, step);
        kl.show(shown, step);
        summary.getChildren().clear();
        for (Perturbation p : shown) {
            Region swatch = new Region();
            swatch.setMinSize(12, 12);
            swatch.setMaxSize(12, 12);
            swatch.setStyle("-fx-background-color: " + Palette.hex(p.targetType()) + "; -fx-background-radius: 6;");
            String base = p.baseType() == org.plateau.perturbation.TargetType.MODEL_GENERATED ? "" : p.baseType().id() + " base → ";
            Label text = new Label(String.format("%s%s, %s steps — MS %d · MS of KL %d · AUC %d · NL %d · AP %d · ‖T − A‖ %.2f%s",
                    base, p.targetType().label(), p.settings().mode().id(), p.metric(Metric.MS_L2), p.metric(Metric.MS_KL), p.metric(Metric.AUC_L2),
                    p.metric(Metric.NL_L2), p.metric(Metric.AP_L2), p.distance(), p.source().equals("explorer") ? "" : "   [" + p.source() + "]"));
            text.getStyleClass().add("summary-line");
            HBox line = new HBox(6, swatch, text);
            line.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            summary.getChildren().add(line);
        }
    }

    private static Label hint(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("hint");
        return l;
    }
}
