package org.plateau.ui;

import java.util.List;
import java.util.function.Consumer;
import javafx.collections.FXCollections;
import javafx.collections.transformation.FilteredList;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.controlsfx.control.textfield.TextFields;

/**
 * The base prompt: picked from the shipped passages (with a filter), typed as text or token ids,
 * or drawn at random with Next. Its tokens are shown as chips, the perturbed last one marked.
 */
final class PromptBox extends VBox {

    final TextField filter = TextFields.createClearableTextField();
    final ListView<String> passages = new ListView<>();
    final TextField typed = new TextField();
    final FlowPane chips = new FlowPane(3, 3);
    final Button next = new Button("Next ▸");
    final javafx.scene.control.ComboBox<String> source = new javafx.scene.control.ComboBox<>(
            FXCollections.observableArrayList(SAMPLE, OPENWEBTEXT));
    static final String SAMPLE = "Next draws from the sample prompts";
    static final String OPENWEBTEXT = "Next draws from OpenWebText (the paper's, from the hub)";
    private final FilteredList<String> filtered;

    PromptBox(Consumer<String> onPassage, Consumer<String> onTyped, Runnable onNext, Consumer<String> onSource) {
        setSpacing(5);
        setPadding(new Insets(0, 0, 6, 0));
        Label title = new Label("Prompt");
        title.getStyleClass().add("section-title");
        filter.setPromptText("filter the sample prompts");
        filter.setId("promptFilter");
        filtered = new FilteredList<>(FXCollections.observableArrayList(), p -> true);
        passages.setItems(filtered);
        passages.setId("passages");
        passages.setPrefHeight(150);
        passages.setPlaceholder(placeholder("The sample prompts appear here once a model is loaded."));
        filter.textProperty().addListener((o, a, b) -> {
            String f = b == null ? "" : b.strip().toLowerCase();
            filtered.setPredicate(p -> f.isEmpty() || p.toLowerCase().contains(f));
        });
        passages.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                onPassage.accept(b);
            }
        });
        typed.setId("typedPrompt");
        typed.setPromptText("or type a prompt (text, or token ids 1,2,3) and press Enter");
        typed.setOnAction(e -> onTyped.accept(typed.getText()));
        typed.setTooltip(new Tooltip("The whole prompt is used; its last token is perturbed"));
        next.setId("nextPerturbation");
        next.setTooltip(new Tooltip("A fresh random base prompt and target (Ctrl+N)"));
        next.setOnAction(e -> onNext.run());
        chips.setId("tokenChips");
        chips.setPrefWrapLength(300);
        HBox row = new HBox(6, typed, next);
        HBox.setHgrow(typed, Priority.ALWAYS);
        source.setId("promptSource");
        source.getSelectionModel().select(SAMPLE);
        source.setMaxWidth(Double.MAX_VALUE);
        source.setTooltip(new Tooltip("OpenWebText rows are fetched once through the hub's rows service, then cached"));
        source.valueProperty().addListener((o, a, b) -> {
            if (b != null && !b.equals(a)) {
                onSource.accept(b);
            }
        });
        getChildren().addAll(title, filter, passages, row, source, chips);
    }

    void setPassages(List<String> all) {
        ((javafx.collections.ObservableList<String>) filtered.getSource()).setAll(all);
        filter.setDisable(all.isEmpty());
        if (all.isEmpty()) {
            passages.setPlaceholder(placeholder("This model's vocabulary is not GPT-2's: type prompts as token ids"
                    + " (5,17,301), or press Next for a random one."));
        }
    }

    private static Label placeholder(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setPadding(new Insets(8));
        return l;
    }

    /** Shows the prompt's tokens as chips; the last (perturbed) one is marked. */
    void showTokens(List<String> texts) {
        chips.getChildren().clear();
        for (int i = 0; i < texts.size(); i++) {
            Label chip = new Label(texts.get(i).replace(' ', '␣').replace("\n", "⏎"));
            chip.getStyleClass().add("token-chip");
            if (i == texts.size() - 1) {
                chip.getStyleClass().add("perturbed");
                chip.setTooltip(new Tooltip("The perturbed position: its residual stream is replaced along the sweep"));
            }
            chips.getChildren().add(chip);
        }
    }
}
