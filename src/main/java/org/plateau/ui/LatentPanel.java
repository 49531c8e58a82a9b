package org.plateau.ui;

import java.util.List;
import javafx.scene.layout.VBox;
import org.plateau.explore.LatentView;
import org.plateau.hub.Neuronpedia;

/**
 * The SAE latents beside the charts: of the base, the target and the perturbed activation at the
 * selected step, as bars (length ∝ value), and the latents switched on and off by that step.
 * Each bar's tooltip gives value, log-sparsity and cosine to the activation's top latent.
 */
final class LatentPanel extends SidePanel {

    private LatentView view;
    private Neuronpedia.Source source;
    private String baseColour = "#222222";
    private String targetColour = "#222222";

    LatentPanel(Explanations explanations) {
        super("Latents at the perturbed hook", explanations);
        showMessage("Click a chart to choose a step; the SAE latents at that step appear here.");
    }

    LatentView view() {
        return view;
    }

    /** The same view in a new panel (for an export at another size). */
    VBox copyContent() {
        LatentPanel copy = new LatentPanel(explanations);
        if (view != null) {
            copy.show(view, baseColour, targetColour, source);
        }
        return copy.content;
    }

    void showMessage(String message) {
        view = null;
        hint(message);
    }

    /** @param source the SAE's Neuronpedia source, for explanations (null: indices alone) */
    void show(LatentView v, String baseColour, String targetColour, Neuronpedia.Source source) {
        view = v;
        this.source = source;
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
        LatentRows.group(content, explanations, source, name, bars, colour, b -> String.format(
                "latent %d%nvalue %.4f%nlog10 sparsity %.3f%ncos to top latent %s", b.latent(), b.value(), b.logSparsity(),
                Double.isNaN(b.cosToTop()) ? "—" : String.format("%.3f", b.cosToTop())));
    }
}
