package org.plateau.ui;

import java.util.List;
import java.util.function.IntConsumer;
import javafx.scene.Cursor;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import org.plateau.explore.Ablation;
import org.plateau.hub.Neuronpedia;

/**
 * Which base latents matter: each active latent of the base removed in turn, its L2 at the read hook
 * and KL as bars, largest first. Clicking a row opens the sweep from the base toward that ablation.
 */
final class AblationPanel extends SidePanel {

    private IntConsumer onOpen = k -> {};
    private List<Ablation> shown;
    private Neuronpedia.Source source;

    AblationPanel(Explanations explanations) {
        super("Ablating the base's latents", explanations);
        showMessage("Load an SAE and choose a prompt: each of the base's latents is removed in turn here.");
    }

    void onOpen(IntConsumer open) {
        this.onOpen = open;
    }

    List<Ablation> shown() {
        return shown;
    }

    void showMessage(String message) {
        shown = null;
        hint(message);
    }

    void show(List<Ablation> ablations, Neuronpedia.Source source) {
        this.shown = List.copyOf(ablations);
        this.source = source;
        Label how = new Label("The base minus one latent's decoded contribution (its SAE error kept): L2 at the read"
                + " hook and KL of the next token. Click a row for the sweep toward it.");
        how.setWrapText(true);
        how.getStyleClass().add("hint");
        content.getChildren().setAll(title, how);
        double max = ablations.stream().mapToDouble(Ablation::l2).max().orElse(1);
        for (Ablation a : ablations) {
            VBox row = LatentRows.row(explanations, source, a.latent(), max > 0 ? a.l2() / max : 0, "#7a5195",
                    // a KL a rounding below zero is shown as the zero it is
                    String.format("L2 %.2f · KL %.3g", a.l2(), Math.max(0, a.kl())),
                    String.format("latent %d (value %.3f in the base)%nL2 %.4f at the read hook%nKL %.4g", a.latent(),
                            a.value(), a.l2(), a.kl()));
            row.setId("ablation-" + a.latent());
            row.setCursor(Cursor.HAND);
            row.setOnMouseClicked(e -> {
                if (e.getTarget() instanceof Label l && l.getStyleClass().contains("latent-link")) {
                    return; // the index opens its page instead
                }
                onOpen.accept(a.latent());
            });
            content.getChildren().add(row);
        }
    }
}
