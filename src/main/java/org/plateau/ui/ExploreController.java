package org.plateau.ui;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javafx.application.Platform;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.plateau.PlateauException;
import org.plateau.experiment.PerturbationSettings;
import org.plateau.explore.ExploreRequest;
import org.plateau.explore.Explorer;
import org.plateau.explore.Perturbation;
import org.plateau.hub.Neuronpedia;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.TargetType;
import org.plateau.plot.Palette;

/**
 * Explore: one base prompt, its perturbations toward the chosen target type (and the overlaid
 * ones), and the SAE latents at a chosen step. Engine work goes to the window's worker; what comes
 * back is shown on the Explore tab.
 */
final class ExploreController {

    /** Latent bars shown per activation. */
    static final int LATENT_BARS = 12;

    private final MainWindow w;
    /** The perturbations shown before, newest first: a click shows one again. */
    final ObservableList<Perturbation> history = FXCollections.observableArrayList();
    private final Set<TargetType> overlayTypes = new LinkedHashSet<>();
    private int[] baseTokens;
    private long seed = 1;

    ExploreController(MainWindow w) {
        this.w = w;
    }

    /** A new model is loaded: nothing overlaid, and a first perturbation. */
    void start() {
        overlayTypes.clear();
        ablated = null;
        next();
    }

    void usePassage(String passage) {
        Explorer ex = w.explorer();
        if (ex == null || w.quiet()) {
            return;
        }
        try {
            setBase(ex.promptFromPassage(passage));
        } catch (PlateauException e) {
            w.error(e.getMessage());
        }
    }

    void useTyped(String text) {
        Explorer ex = w.explorer();
        if (ex == null) {
            w.error("Load a model first.");
            return;
        }
        try {
            setBase(ex.parsePrompt(text));
        } catch (PlateauException e) {
            w.error(e.getMessage());
        }
    }

    private void setBase(int[] tokens) {
        baseTokens = tokens;
        w.prompt.showTokens(w.explorer().tokenTexts(tokens));
        explore();
    }

    /** A fresh random base and target. */
    void next() {
        Explorer ex = w.explorer();
        if (ex == null) {
            w.error("Load a model first.");
            return;
        }
        seed++;
        long s = seed;
        List<ExploreRequest> requests = requests(ex, null, s);
        run(() -> {
            int[] tokens = ex.drawPrompt(s);
            return runAll(ex, requests.stream().map(r -> withBase(r, tokens)).toList());
        });
    }

    /** Another target of the same types for the same base. */
    void redraw() {
        seed++;
        explore();
    }

    void targetChanged() {
        if (w.quiet()) {
            return;
        }
        if (!w.target.overlay.isSelected()) {
            overlayTypes.clear();
        }
        explore();
    }

    void clearOverlay() {
        overlayTypes.clear();
        explore();
    }

    /** Runs the current base against the selected type (and the overlaid ones). */
    void explore() {
        Explorer ex = w.explorer();
        if (ex == null || baseTokens == null || w.quiet()) {
            return;
        }
        w.clearError();
        List<ExploreRequest> requests = requests(ex, baseTokens, seed);
        run(() -> runAll(ex, requests));
    }

    /** What a worker returns for the explorer: the base's tokens as text, and the perturbations. */
    record Shown(List<String> tokenTexts, int[] tokens, List<Perturbation> perturbations, String targetText) {}

    private Shown runAll(Explorer ex, List<ExploreRequest> requests) {
        List<Perturbation> out = new ArrayList<>();
        for (ExploreRequest r : requests) {
            out.add(ex.run(r, done -> Platform.runLater(() -> w.status.setText("Fitting the random-target distribution: "
                    + done + " of " + r.settings().statsActivations() + " activations…"))));
        }
        Perturbation last = out.get(out.size() - 1);
        String targetText = last.target().tokens() == null ? describeTarget(last)
                : "target prompt: " + ex.promptText(last.target().tokens());
        return new Shown(ex.tokenTexts(requests.get(0).baseTokens()), requests.get(0).baseTokens(), out, targetText);
    }

    static String describeTarget(Perturbation p) {
        if (p.target().synthesis() != null) {
            List<Integer> chosen = p.target().synthesis().chosen();
            return "target: " + chosen.size() + " latents, first " + chosen.subList(0, Math.min(5, chosen.size()));
        }
        return p.targetType() == TargetType.RANDOM ? "target: a draw from N(μ, Σ) of model activations" : " ";
    }

    private void run(Worker.Job<Shown> job) {
        w.worker.latest("explore", job, shown -> {
            baseTokens = shown.tokens();
            w.target.targetPrompt.setText(shown.targetText());
            Perturbation main = shown.perturbations().get(shown.perturbations().size() - 1);
            remember(main);
            show(shown.perturbations(), shown.tokenTexts());
            w.status.setText("MS step " + main.metric(Metric.MS_L2) + " for " + main.targetType().label() + ".");
            Explorer ex = w.explorer();
            if (ex != null && main.hasVectors()) {
                showReadLayer(ex, main, main.metric(Metric.MS_L2));
                showAblations(ex, new ExploreRequest(main.baseTokens(), main.targetType(), null, main.settings().mode(),
                        seed, w.perturbationSettings(ex.lab())));
            }
        });
    }

    /** A perturbation opened from elsewhere (a batch, a run): shown, and in the history. */
    void open(Perturbation p) {
        baseTokens = p.baseTokens();
        remember(p);
        show(List.of(p), p.tokenTexts());
    }

    private void remember(Perturbation p) {
        if (!history.isEmpty() && sameSweep(history.get(0), p)) {
            history.set(0, p); // run again (a read-layer SAE loaded): one entry, the newer
            return;
        }
        history.add(0, p);
        if (history.size() > 200) {
            history.remove(200, history.size());
        }
    }

    /** The same base, target and settings: a perturbation computed again, not a new one (recorded ones have no vectors to compare). */
    private static boolean sameSweep(Perturbation a, Perturbation b) {
        return a.hasVectors() && b.hasVectors()
                && java.util.Arrays.equals(a.baseTokens(), b.baseTokens()) && java.util.Arrays.equals(a.base(), b.base())
                && a.targetType() == b.targetType() && a.settings().equals(b.settings())
                && java.util.Arrays.equals(a.target().activation(), b.target().activation());
    }

    void show(List<Perturbation> ps, List<String> tokenTexts) {
        w.prompt.showTokens(tokenTexts);
        w.explore.show(ps, -1);
        w.explore.latents.showMessage(ps.stream().allMatch(Perturbation::hasVectors)
                ? "Click a chart to see the SAE latents at that step."
                : "These curves are as recorded; load the run's model and SAE to see latents.");
        w.tabs.getSelectionModel().select(0);
    }

    /** The requests for the selected type and, with overlay on, the others shown on this base. */
    private List<ExploreRequest> requests(Explorer ex, int[] tokens, long s) {
        TargetType selected = w.target.type.getValue();
        if (w.target.overlay.isSelected()) {
            overlayTypes.remove(selected);
            overlayTypes.add(selected); // the selected type last: it is the one the summary and latents follow
        } else {
            overlayTypes.clear();
            overlayTypes.add(selected);
        }
        PerturbationSettings chosen = w.perturbationSettings(ex.lab());
        List<ExploreRequest> out = new ArrayList<>();
        for (TargetType t : overlayTypes) {
            out.add(new ExploreRequest(tokens, t, null, w.target.mode.getValue(), s, chosen));
        }
        return out;
    }

    private static ExploreRequest withBase(ExploreRequest r, int[] tokens) {
        return new ExploreRequest(tokens, r.type(), r.targetTokens(), r.mode(), r.seed(), r.settings());
    }

    /** Rings a step on the charts and shows the latents there. */
    void selectStep(int step) {
        List<Perturbation> shown = w.explore.shown();
        if (shown.isEmpty()) {
            return;
        }
        w.explore.show(shown, step);
        Perturbation p = shown.get(shown.size() - 1);
        Explorer ex = w.explorer();
        if (ex == null || ex.lab().sae() == null) {
            w.explore.latents.showMessage("Load an SAE to see the latents at each step.");
            return;
        }
        if (!p.hasVectors()) {
            w.explore.latents.showMessage("These curves are as recorded; load the run's model and SAE to see latents.");
            return;
        }
        w.worker.latest("latents", () -> ex.latentsAt(p, step, LATENT_BARS),
                v -> w.explore.latents.show(v, Palette.hex(p.baseType()), Palette.hex(p.targetType()),
                        Neuronpedia.Source.of(ex.lab().neuronpediaId())));
        showReadLayer(ex, p, step);
    }

    /** The read layer of {@code p} at {@code step}, when a read-layer SAE is loaded. */
    private void showReadLayer(Explorer ex, Perturbation p, int step) {
        if (ex.lab().readSae() == null) {
            w.explore.readLayer.showMessage(ReadLayerPanel.NO_SAE);
            return;
        }
        if (p.curve().reads() == null) {
            w.explore.readLayer.showMessage("These curves carry no read-layer activations (opened as recorded, or made"
                    + " before the read SAE loaded); run the perturbation again.");
            return;
        }
        Neuronpedia.Source source = Neuronpedia.Source.of(ex.lab().readSae().neuronpediaId());
        w.worker.latest("read-layer", () -> ex.readLayer(p, step, LATENT_BARS), v -> w.explore.readLayer.show(v, source));
    }

    /** The request whose base the ablations were last computed for: recomputed when the base or settings change. */
    private ExploreRequest ablated;

    /** Each of the base's latents removed in turn, when the base or its settings changed. */
    private void showAblations(Explorer ex, ExploreRequest r) {
        if (ex.lab().sae() == null) {
            w.explore.ablation.showMessage("Load an SAE to ablate the base's latents.");
            return;
        }
        if (ablated != null && java.util.Arrays.equals(ablated.baseTokens(), r.baseTokens())
                && ablated.settings().equals(r.settings())) {
            return;
        }
        ablated = r;
        Neuronpedia.Source source = Neuronpedia.Source.of(ex.lab().neuronpediaId());
        w.worker.latest("ablations", () -> ex.ablations(r), list -> w.explore.ablation.show(list, source));
    }

    /** The sweep from the current base toward the ablation of latent k (a click on its bar). */
    void openAblation(int k) {
        Explorer ex = w.explorer();
        if (ex == null || ablated == null) {
            return;
        }
        ExploreRequest r = ablated.ablating(k);
        run(() -> runAll(ex, List.of(r)));
    }
}
