package org.plateau.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;
import org.plateau.perturbation.PromptSource;
import org.plateau.io.AtomicFiles;
import org.plateau.io.CacheDir;
import org.plateau.io.Hashing;
import org.plateau.io.Json;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.Seeds;
import org.plateau.sae.Sae;

/**
 * Whether a loaded model computes what it should, and how well its SAE fits it.
 *
 * <p>For a hub model with a published output (GPT-2 small: the greedy continuation of "The dog" in
 * Hugging Face's own tests), the model decodes the same prompt greedily under both processings and
 * must give exactly the published tokens. The SAE's health is measured on the model's activations
 * of the sample prompts at the SAE's own hook: mean L0 (active latents), the fraction of variance
 * its reconstruction explains, and its dead latents; a hook or width that does not fit is a warning.
 *
 * @param model what the model is (its source)
 * @param modelSha256 the SHA-256 of its weights file: a check is remembered under it
 * @param verdict {@link #PASSED}, {@link #FAILED} or {@link #NO_REFERENCE}
 * @param summary one sentence for people
 * @param reference the published output compared with, or null
 * @param greedy the greedy decoding under each processing (with a reference only)
 * @param sae the SAE's health, or null without an SAE
 */
public record ModelCheck(String model, String modelSha256, String verdict, String summary, Reference reference,
        Map<String, List<Integer>> greedy, SaeHealth sae) {

    public static final String PASSED = "passed";
    public static final String FAILED = "failed";
    public static final String NO_REFERENCE = "no published reference";

    /** Prompts the SAE's health is measured on. */
    static final int HEALTH_PROMPTS = 128;

    /** A published output: {@code expected} is the prompt followed by its greedy continuation. */
    public record Reference(String name, List<String> repos, List<Integer> prompt, String promptText,
            List<Integer> expected, String source) {}

    /**
     * @param meanL0 mean number of active latents per activation
     * @param varianceExplained 1 − Σ‖x − x̂‖² / Σ‖x − x̄‖² over the prompts' activations
     * @param deadLatents latents whose log-sparsity is the minimum (null without sparsity.safetensors)
     */
    public record SaeHealth(String sae, String measuredAt, int prompts, Double meanL0, Double varianceExplained,
            Integer deadLatents, int dSae, List<String> warnings) {}

    /** The model does not compute its published output. */
    public boolean failed() {
        return FAILED.equals(verdict);
    }

    /** Something needs the user's attention: a failed check, or an SAE that does not fit. */
    public boolean warns() {
        return failed() || (sae != null && !sae.warnings().isEmpty());
    }

    /** The published output for a hub repository, or null. */
    public static Reference referenceFor(String repo) {
        if (repo == null) {
            return null;
        }
        try (InputStream in = ModelCheck.class.getResourceAsStream("/org/plateau/published-outputs.json")) {
            if (in == null) {
                throw new PlateauException("The published outputs are missing from this build of Plateau.");
            }
            for (JsonNode r : Json.RECORDS.readTree(in).path("references")) {
                Reference ref = Json.RECORDS.treeToValue(r, Reference.class);
                if (ref.repos().contains(repo)) {
                    return ref;
                }
            }
            return null;
        } catch (IOException e) {
            throw new PlateauException("The published outputs of this build cannot be read (" + e.getMessage() + ").");
        }
    }

    /**
     * Runs the check.
     *
     * @param loaded the model as loaded (its other processing is loaded for the check and closed)
     * @param reference what to compare with (null: no published reference)
     * @param sae the SAE, or null
     * @param hook where activations are perturbed (the SAE's hook should be this one)
     * @param prompts where the health prompts come from
     */
    public static ModelCheck run(String model, Path modelDir, String modelSha256, Gpt2 loaded, Reference reference,
            Sae sae, String saeName, HookPoint hook, PromptSource prompts) {
        Map<String, List<Integer>> greedy = new LinkedHashMap<>();
        String verdict = NO_REFERENCE;
        String summary;
        int vocab = loaded.config().vocabSize();
        boolean fits = reference != null && reference.expected().stream().allMatch(t -> t < vocab)
                && reference.expected().size() <= loaded.config().nCtx();
        if (reference != null && !fits) {
            verdict = FAILED;
            summary = model + " cannot be " + reference.name() + ": its vocabulary (" + vocab + " tokens) or context ("
                    + loaded.config().nCtx() + ") does not hold the published output for \"" + reference.promptText() + "\".";
        } else if (reference != null) {
            int[] prompt = reference.prompt().stream().mapToInt(Integer::intValue).toArray();
            int newTokens = reference.expected().size() - prompt.length;
            for (Processing p : Processing.values()) {
                int[] got;
                if (p == loaded.processing()) {
                    got = loaded.greedy(prompt, newTokens);
                } else {
                    try (Gpt2 other = Gpt2.load(modelDir, p, loaded.device())) {
                        got = other.greedy(prompt, newTokens);
                    }
                }
                greedy.put(p.id(), Arrays.stream(got).boxed().toList());
            }
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, List<Integer>> e : greedy.entrySet()) {
                if (!e.getValue().equals(reference.expected())) {
                    int at = firstDifference(e.getValue(), reference.expected());
                    wrong.add(e.getKey() + " processing gives token " + e.getValue().get(at) + " where the published"
                            + " output has " + reference.expected().get(at) + " (token " + (at + 1) + ")");
                }
            }
            verdict = wrong.isEmpty() ? PASSED : FAILED;
            summary = wrong.isEmpty()
                    ? model + " computes " + reference.name() + "'s published output (\"" + reference.promptText()
                            + "\" and " + newTokens + " greedy tokens, under tl and raw processing)."
                    : model + " does not compute " + reference.name() + "'s published output for \""
                            + reference.promptText() + "\": " + String.join("; ", wrong) + ".";
        } else {
            summary = model + ": no published reference to check it against.";
        }
        SaeHealth health = sae == null ? null : health(loaded, sae, saeName, hook, prompts);
        return new ModelCheck(model, modelSha256, verdict, summary, reference, greedy, health);
    }

    private static int firstDifference(List<Integer> a, List<Integer> b) {
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (!a.get(i).equals(b.get(i))) {
                return i;
            }
        }
        return n - 1;
    }

    static SaeHealth health(Gpt2 model, Sae sae, String saeName, HookPoint perturbed, PromptSource prompts) {
        List<String> warnings = new ArrayList<>();
        int width = model.config().dModel();
        Integer dead = sae.hasSparsity() ? sae.deadLatents().length : null;
        if (sae.config().dIn() != width) {
            warnings.add("The SAE reads activations of width " + sae.config().dIn() + " but the model's residual stream"
                    + " is " + width + " wide: it does not belong to this model.");
            return new SaeHealth(saeName, null, 0, null, null, dead, sae.width(), warnings);
        }
        String trained = sae.config().hookName();
        HookPoint at = perturbed;
        if (!trained.isEmpty() && !trained.equals(perturbed.name())) {
            warnings.add("The SAE was trained at " + trained + " but activations are perturbed at " + perturbed.name() + ".");
            try {
                at = HookPoint.parse(trained, model.config().nLayer());
            } catch (PlateauException e) {
                warnings.add("The SAE's hook " + trained + " is not a point of this model; its health is measured at "
                        + perturbed.name() + ".");
            }
        }
        RandomGenerator rng = Seeds.stream(0, "model-check");
        List<int[]> drawn = new ArrayList<>();
        for (int i = 0; i < HEALTH_PROMPTS; i++) {
            drawn.add(prompts.draw(rng));
        }
        float[][] acts = model.activations(drawn, at);
        double[] mean = new double[width];
        for (float[] x : acts) {
            for (int i = 0; i < width; i++) {
                mean[i] += x[i] / (double) acts.length;
            }
        }
        double l0 = 0;
        double residual = 0;
        double total = 0;
        for (float[] x : acts) {
            double[] z = sae.encode(x);
            for (double v : z) {
                l0 += v > 0 ? 1 : 0;
            }
            float[] xHat = sae.decode(z, x);
            for (int i = 0; i < width; i++) {
                residual += (x[i] - (double) xHat[i]) * (x[i] - (double) xHat[i]);
                total += (x[i] - mean[i]) * (x[i] - mean[i]);
            }
        }
        double fve = total > 0 ? 1 - residual / total : Double.NaN;
        if (fve < 0.5) {
            warnings.add(String.format(java.util.Locale.ROOT, "The SAE's reconstruction explains only %.0f %% of the"
                    + " variance of this model's activations at %s; is it this model's SAE?", 100 * fve, at.name()));
        }
        return new SaeHealth(saeName, at.name(), acts.length, l0 / acts.length, Double.isFinite(fve) ? fve : null, dead,
                sae.width(), warnings);
    }

    /** One line for the command line and the window's status: the verdict and the SAE's numbers. */
    public String line() {
        StringBuilder b = new StringBuilder(summary);
        if (sae != null && sae.meanL0() != null) {
            b.append(String.format(java.util.Locale.ROOT, " SAE: mean L0 %.1f, variance explained %.1f %%",
                    sae.meanL0(), sae.varianceExplained() == null ? Double.NaN : 100 * sae.varianceExplained()));
            b.append(sae.deadLatents() == null ? "" : ", " + sae.deadLatents() + " of " + sae.dSae() + " latents dead");
            b.append(" (" + sae.prompts() + " sample prompts at " + sae.measuredAt() + ").");
        }
        if (sae != null) {
            sae.warnings().forEach(w -> b.append(" Warning: ").append(w));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ remembered checks

    /** The name a check is remembered under: the weights' SHA-256, and the SAE's and hook when there is one. */
    public static String key(String modelSha256, String saeSha256, HookPoint hook) {
        return Hashing.sha256(modelSha256 + "|" + (saeSha256 == null ? "-" : saeSha256 + "|" + hook.name()) + "|v1");
    }

    /** A check made before for the same files, or null. */
    public static ModelCheck remembered(String key) {
        Path file = store().resolve(key + ".json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.RECORDS.readValue(file.toFile(), ModelCheck.class);
        } catch (IOException e) {
            return null; // unreadable: checked again
        }
    }

    public void remember(String key) {
        try {
            AtomicFiles.writeString(store().resolve(key + ".json"), Json.RECORDS.writeValueAsString(this));
        } catch (IOException | RuntimeException e) {
            // a read-only cache costs checking again next time
        }
    }

    private static Path store() {
        return CacheDir.root().resolve("checks");
    }
}
