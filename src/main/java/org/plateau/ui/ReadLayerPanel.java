package org.plateau.ui;

import java.util.List;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.paint.Color;
import org.plateau.explore.LatentView;
import org.plateau.explore.ReadLayerView;
import org.plateau.hub.Neuronpedia;

/**
 * The read layer across a blow-up, through a read-layer SAE: its code unperturbed and at the
 * selected step, the latents that switched on, off or changed most from MS − 1 to MS + 1, and a heat
 * strip (a row per latent that ever ranks among the strongest, a column per step, darker = larger,
 * the MS step outlined in red and the selected step in black).
 */
final class ReadLayerPanel extends SidePanel {

    static final double ROW = 12;

    /** Which SAE reads the read hook: a folder or hub id, loaded beside the model. */
    final javafx.scene.control.TextField path = new javafx.scene.control.TextField();
    final javafx.scene.control.Button load = new javafx.scene.control.Button("Load");
    private final javafx.scene.layout.HBox loader = new javafx.scene.layout.HBox(6, new Label("SAE"), path, load);
    private ReadLayerView view;
    private Neuronpedia.Source source;
    final Canvas strip = new Canvas(300, 0);

    ReadLayerPanel(Explanations explanations) {
        super("Read layer", explanations);
        strip.setId("readStrip");
        path.setId("readSaePath");
        load.setId("loadReadSae");
        path.setPromptText("an SAE at the read hook, e.g. gpt2-small-res-jb/blocks.11.hook_resid_post");
        loader.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        javafx.scene.layout.HBox.setHgrow(path, javafx.scene.layout.Priority.ALWAYS);
        showMessage(NO_SAE);
    }

    static final String NO_SAE = "Name an SAE trained at the read hook above (for GPT-2 small:"
            + " gpt2-small-res-jb/blocks.11.hook_resid_post) and load it, to see what the read layer does across the"
            + " blow-up.";

    ReadLayerView view() {
        return view;
    }

    /** What Load does with the named SAE. */
    void onLoad(java.util.function.Consumer<String> load) {
        this.load.setOnAction(e -> load.accept(path.getText().strip()));
        path.setOnAction(e -> load.accept(path.getText().strip()));
    }

    void showMessage(String message) {
        view = null;
        hint(message, loader);
    }

    void show(ReadLayerView v, Neuronpedia.Source source) {
        view = v;
        this.source = source;
        title.setText("Read layer — " + v.hook());
        content.getChildren().setAll(title, loader);
        Label stripTitle = new Label("Strongest latents, step by step (MS " + v.ms() + " in red, step " + v.step()
                + " in black)");
        stripTitle.getStyleClass().add("latent-heading");
        stripTitle.setWrapText(true);
        content.getChildren().addAll(stripTitle, strip);
        drawStrip(v);
        group("Unperturbed (step 0)", v.unperturbed(), "#222222");
        group("Perturbed, step " + v.step(), v.atStep(), "#555555");
        Label around = new Label("From step " + Math.max(0, v.ms() - 1) + " to " + (v.ms() + 1) + " (around MS)"
                + (v.aroundMs().isEmpty() ? " — no change" : ""));
        around.getStyleClass().add("latent-heading");
        content.getChildren().add(around);
        double max = v.aroundMs().stream().mapToDouble(c -> Math.max(c.before(), c.after())).max().orElse(1);
        for (ReadLayerView.Change c : v.aroundMs()) {
            String colour = switch (c.kind()) {
                case ON -> "#2b8a3e";
                case OFF -> "#c92a2a";
                case CHANGED -> "#1c5d99";
            };
            String word = switch (c.kind()) {
                case ON -> "on";
                case OFF -> "off";
                case CHANGED -> "Δ";
            };
            content.getChildren().add(LatentRows.row(explanations, source, c.latent(),
                    max > 0 ? Math.max(c.before(), c.after()) / max : 0, colour,
                    String.format("%s %.2f→%.2f", word, c.before(), c.after()), null));
        }
    }

    private void group(String name, List<LatentView.Bar> bars, String colour) {
        LatentRows.group(content, explanations, source, name, bars, colour, null);
    }

    private void drawStrip(ReadLayerView v) {
        ReadLayerView.Strip s = v.strip();
        double labels = 52;
        double width = Math.max(240, getWidth() - 30);
        strip.setWidth(width);
        strip.setHeight(Math.max(ROW, s.latents().length * ROW));
        GraphicsContext g = strip.getGraphicsContext2D();
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, strip.getWidth(), strip.getHeight());
        int steps = s.values().length == 0 ? 1 : s.values()[0].length;
        double cell = (width - labels) / steps;
        for (int r = 0; r < s.latents().length; r++) {
            double max = 0;
            for (double z : s.values()[r]) {
                max = Math.max(max, z);
            }
            g.setFill(Color.web("#333333"));
            g.fillText("L" + s.latents()[r], 2, r * ROW + ROW - 2);
            for (int n = 0; n < steps; n++) {
                double z = s.values()[r][n];
                if (z > 0) {
                    g.setFill(Color.web("#1c5d99", 0.12 + 0.88 * (max > 0 ? z / max : 0)));
                    g.fillRect(labels + n * cell, r * ROW + 1, Math.max(1, cell), ROW - 2);
                }
            }
        }
        outline(g, labels + v.ms() * cell, cell, Color.web("#c92a2a"));
        outline(g, labels + v.step() * cell, cell, Color.BLACK);
    }

    private void outline(GraphicsContext g, double x, double cell, Color c) {
        g.setStroke(c);
        g.setLineWidth(1);
        g.strokeRect(x, 0.5, Math.max(1, cell), strip.getHeight() - 1);
    }
}
