package org.plateau.ui;

import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.VBox;

/**
 * A side tab of Explore (latents, read layer, ablation): a title over a scrolling column of latent
 * rows, and a hint in the column's place while there is nothing to show.
 */
abstract class SidePanel extends ScrollPane {

    final VBox content = new VBox(6);
    final Label title;
    final Explanations explanations;

    SidePanel(String title, Explanations explanations) {
        this.title = new Label(title);
        this.explanations = explanations;
        this.title.getStyleClass().add("section-title");
        content.setPadding(new Insets(8));
        setContent(content);
        setFitToWidth(true);
        setMinWidth(260);
        getStyleClass().add("latent-panel");
    }

    /** The title, what stays above the column (a loader), and {@code message} as a hint. */
    void hint(String message, Node... above) {
        Label l = new Label(message);
        l.setWrapText(true);
        l.getStyleClass().add("hint");
        content.getChildren().setAll(title);
        content.getChildren().addAll(above);
        content.getChildren().add(l);
    }
}
