package org.plateau.ui;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.scene.control.Label;
import org.plateau.hub.Neuronpedia;

/**
 * Latent explanations beside their indices: what the disk cache knows at once, the rest fetched from
 * Neuronpedia on a background thread of their own (never the engine's), the label filled in when
 * the answer comes. A click on a latent opens its Neuronpedia page in the browser.
 */
final class Explanations {

    private volatile Neuronpedia neuronpedia;
    private final ExecutorService fetch = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "plateau-neuronpedia");
        t.setDaemon(true);
        return t;
    });
    private Consumer<String> browser = url -> {};
    private volatile String lastOpened;

    Explanations(Neuronpedia neuronpedia) {
        this.neuronpedia = neuronpedia;
    }

    /** Another Neuronpedia (a test's local server). */
    void use(Neuronpedia n) {
        this.neuronpedia = n;
    }

    /** How pages open: the application's host services. */
    void openWith(Consumer<String> showDocument) {
        this.browser = showDocument;
    }

    /** The page last asked to open, or null. */
    String lastOpened() {
        return lastOpened;
    }

    /** A label that shows the latent's explanation when there is one (empty until then, or for good). */
    Label label(Neuronpedia.Source source, int latent) {
        Label l = new Label();
        l.getStyleClass().add("latent-explanation");
        l.setWrapText(true);
        l.setManaged(false);
        l.setVisible(false);
        if (source == null) {
            return l;
        }
        Neuronpedia np = neuronpedia;
        Optional<String> known = np.known(source, latent);
        if (known != null) {
            fill(l, known);
        } else {
            fetch.submit(() -> {
                Optional<String> got = np.explanation(source, latent);
                Platform.runLater(() -> fill(l, got));
            });
        }
        return l;
    }

    private static void fill(Label l, Optional<String> text) {
        text.ifPresent(t -> {
            l.setText(t);
            l.setManaged(true);
            l.setVisible(true);
        });
    }

    /** Opens the latent's Neuronpedia page. */
    void open(Neuronpedia.Source source, int latent) {
        if (source == null) {
            return;
        }
        lastOpened = neuronpedia.page(source, latent).toString();
        browser.accept(lastOpened);
    }

    void shutdown() {
        fetch.shutdownNow();
    }
}
