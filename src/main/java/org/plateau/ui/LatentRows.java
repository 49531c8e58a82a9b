package org.plateau.ui;

import javafx.geometry.Pos;
import javafx.scene.Cursor;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.plateau.explore.LatentView;
import org.plateau.hub.Neuronpedia;

/**
 * One latent as a row of the latent panels: its index, a bar (length ∝ value of the largest shown),
 * the value, and under them its Neuronpedia explanation when there is one. Clicking the index opens
 * the latent's page.
 */
final class LatentRows {

    private LatentRows() {}

    static VBox row(Explanations explanations, Neuronpedia.Source source, int latent, double fraction, String colour,
            String valueText, String tooltip) {
        Label id = new Label("L" + latent);
        id.setMinWidth(62);
        id.getStyleClass().add("latent-id");
        if (source != null) {
            id.getStyleClass().add("latent-link");
            id.setCursor(Cursor.HAND);
            id.setOnMouseClicked(e -> explanations.open(source, latent));
        }
        Region bar = new Region();
        bar.setStyle("-fx-background-color: " + colour + "; -fx-background-radius: 2;");
        bar.setMinHeight(11);
        bar.setMaxHeight(11);
        StackPane track = new StackPane(bar);
        track.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(track, Priority.ALWAYS);
        bar.maxWidthProperty().bind(track.widthProperty().multiply(Math.max(0, Math.min(1, fraction))));
        Label value = new Label(valueText);
        value.setMinWidth(48);
        HBox line = new HBox(6, id, track, value);
        line.setAlignment(Pos.CENTER_LEFT);
        VBox row = new VBox(0, line, explanations.label(source, latent));
        row.getStyleClass().add("latent-row");
        if (tooltip != null) {
            Tooltip.install(row, new Tooltip(tooltip));
        }
        return row;
    }

    /**
     * A heading and a row per latent (bars relative to the group's largest value) added to {@code content}.
     *
     * @param tooltip a latent's tooltip text, or null for none
     */
    static void group(VBox content, Explanations explanations, Neuronpedia.Source source, String name,
            java.util.List<LatentView.Bar> bars, String colour, java.util.function.Function<LatentView.Bar, String> tooltip) {
        Label heading = new Label(name + (bars.isEmpty() ? " — none" : ""));
        heading.getStyleClass().add("latent-heading");
        content.getChildren().add(heading);
        double max = bars.stream().mapToDouble(LatentView.Bar::value).max().orElse(1);
        for (LatentView.Bar b : bars) {
            content.getChildren().add(row(explanations, source, b.latent(), max > 0 ? b.value() / max : 0, colour,
                    String.format("%.2f", b.value()), tooltip == null ? null : tooltip.apply(b)));
        }
    }
}
