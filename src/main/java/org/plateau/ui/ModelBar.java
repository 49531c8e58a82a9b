package org.plateau.ui;

import java.io.File;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;

/** Where the model and SAE come from, the processing, and the device in use. */
final class ModelBar extends HBox {

    final TextField model = new TextField();
    final TextField sae = new TextField();
    final ComboBox<String> processing = new ComboBox<>(FXCollections.observableArrayList("tl", "raw"));
    final Button load = new Button("Load");
    final Button demo = new Button("Use demo");
    final Label device = new Label("no model loaded");

    ModelBar(Runnable onLoad, Runnable onDemo) {
        setSpacing(6);
        setPadding(new Insets(6, 10, 6, 10));
        setAlignment(Pos.CENTER_LEFT);
        getStyleClass().add("model-bar");
        model.setId("modelPath");
        sae.setId("saePath");
        load.setId("loadModel");
        device.setId("deviceLabel");
        model.setPromptText("a folder, or a hub id such as gpt2");
        sae.setPromptText("a folder, or a hub id such as gpt2-small-res-jb/blocks.1.hook_resid_pre (optional)");
        model.setTooltip(new Tooltip("A GPT-2 family model: a folder in Hugging Face's layout, or a hub id (gpt2,"
                + " openai-community/gpt2); hub files are downloaded once into the Hugging Face cache"));
        sae.setTooltip(new Tooltip("An SAE in SAELens' layout: a folder or a hub id; synthetic targets and the latent"
                + " breakdown need one"));
        demo.setId("useDemo");
        demo.setTooltip(new Tooltip("A small model and SAE with random weights, made on this machine: for trying the"
                + " interface without a download (not results)"));
        demo.setOnAction(e -> onDemo.run());
        processing.setTooltip(new Tooltip("tl: TransformerLens' centred weights (the paper's); raw: Hugging Face's"));
        processing.getSelectionModel().select("tl");
        HBox.setHgrow(model, Priority.ALWAYS);
        HBox.setHgrow(sae, Priority.ALWAYS);
        load.setDefaultButton(false);
        load.setOnAction(e -> onLoad.run());
        model.setOnAction(e -> onLoad.run());
        sae.setOnAction(e -> onLoad.run());
        device.getStyleClass().add("device-label");
        getChildren().addAll(new Label("Model"), model, browse(model, "Choose a model folder"), new Label("SAE"), sae,
                browse(sae, "Choose an SAE folder"), processing, load, demo, device);
    }

    private Button browse(TextField target, String title) {
        Button b = new Button("…");
        b.setTooltip(new Tooltip(title));
        b.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle(title);
            File current = new File(target.getText().strip());
            if (current.isDirectory()) {
                chooser.setInitialDirectory(current.getParentFile() != null ? current.getParentFile() : current);
            }
            Window w = getScene() == null ? null : getScene().getWindow();
            File chosen = chooser.showDialog(w);
            if (chosen != null) {
                target.setText(chosen.getAbsolutePath());
            }
        });
        return b;
    }
}
