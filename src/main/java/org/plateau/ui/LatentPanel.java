package org.plateau.ui;

import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.plateau.explore.LatentView;

/**
 * The SAE latents beside the charts: of the base, the target and the perturbed activation at the
 * selected step, as bars (length ∝ value), and the latents switched on and off by that step.
 * Each bar's tooltip gives value, log-sparsity and cosine to the activation's top latent.
 */
final class LatentPanel extends ScrollPane {

    private final VBox content = new VBox(6);
    private final Label title = new Label("Latents");
    private LatentView view;
    private String baseColour = "#222222";
    private String targetColour = "#222222";

    LatentPanel() {
        title.getStyleClass().add("section-title");
        content.setPadding(new Insets(8));
        content.getChildren().add(title);
        setContent(content);
        setFitToWidth(true);
        setMinWidth(260);
        getStyleClass().add("latent-panel");
        showMessage("Click a chart to choose a step; the SAE latents at that step appear here.");
    }

    LatentView view() {
        return view;
    }

    /** The same view in a new panel (for an export at another size). */
    VBox copyContent() {
        LatentPanel copy = new LatentPanel();
        if (view != null) {
            copy.show(view, baseColour, targetColour);
        }
        return copy.content;
    }

    void showMessage(String message) {
        view = null;
        Label l = new Label(message);
        l.setWrapText(true);
        l.getStyleClass().add("hint");
        content.getChildren().setAll(title, l);
    }

    void show(LatentView v, String baseColour, String targetColour) {
        view = v;
        this.baseColour = baseColour;
        this.targetColour = targetColour;
        content.getChildren().setAll(title);
        group("Base (step 0)", v.base(), baseColour);
        group("Target", v.target(), targetColour);
        group("Perturbed, step " + v.step(), v.perturbed(), "#555555");
        group("Switched on by step " + v.step(), v.switchedOn(), "#2b8a3e");
        group("Switched off by step " + v.step(), v.switchedOff(), "#c92a2a");
    }

    private void group(String name, List<LatentView.Bar> bars, String colour) {
        Label heading = new Label(name + (bars.isEmpty() ? " — none" : ""));
        heading.getStyleClass().add("latent-heading");
        content.getChildren().add(heading);
        double max = bars.stream().mapToDouble(LatentView.Bar::value).max().orElse(1);
        for (LatentView.Bar b : bars) {
            Label id = new Label("L" + b.latent());
            id.setMinWidth(62);
            id.getStyleClass().add("latent-id");
            Region bar = new Region();
            bar.setStyle("-fx-background-color: " + colour + "; -fx-background-radius: 2;");
            bar.setMinHeight(11);
            bar.setMaxHeight(11);
            StackPane track = new StackPane(bar);
            track.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            HBox.setHgrow(track, Priority.ALWAYS);
            bar.maxWidthProperty().bind(track.widthProperty().multiply(max > 0 ? b.value() / max : 0));
            Label value = new Label(String.format("%.2f", b.value()));
            value.setMinWidth(48);
            HBox row = new HBox(6, id, track, value);
            row.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            Tooltip.install(row, new Tooltip(String.format("latent %d%nvalue %.4f%nlog10 sparsity %.3f%ncos to top latent %s",
                    b.latent(), b.value(), b.logSparsity(),
                    Double.isNaN(b.cosToTop()) ? "—" : String.format("%.3f", b.cosToTop()))));
            content.getChildren().add(row);
        }
    }
}
