package org.plateau;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.plateau.io.SafetensorsWriter;
import org.plateau.model.Gpt2Config;
import org.plateau.model.RandomGpt2Files;

/**
 * Small random GPT-2 models and SAEs written in the real on-disk formats, for tests that need a
 * shape the oracle's fixtures do not have (GPT-2's vocabulary, so that text prompts work).
 */
public final class TestModels {

    private TestModels() {}

    /** A GPT-2-architecture model with GPT-2's 50257-token vocabulary, tiny otherwise ("transformer." keys). */
    public static Path gpt2Vocabulary(Path dir, int layers, int heads, int width, int context, long seed) throws IOException {
        return RandomGpt2Files.write(dir, new Gpt2Config(layers, heads, width, context, 50257, 1e-5), seed, "transformer.", "");
    }

    /** A random SAE of the given width in SAELens format, with some dead latents. */
    public static Path sae(Path dir, int dIn, int dSae, long seed) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cfg.json"), """
                {"architecture": "standard", "d_in": %d, "d_sae": %d, "hook_name": "blocks.1.hook_resid_pre",
                 "apply_b_dec_to_input": true, "activation_fn_str": "relu", "normalize_activations": "none"}
                """.formatted(dIn, dSae));
        SplittableRandom rng = new SplittableRandom(seed);
        new SafetensorsWriter()
                .put("W_enc", i -> gauss(rng, 1 / Math.sqrt(dIn)), dIn, dSae)
                .put("b_enc", i -> gauss(rng, 0.1) - 0.05f, dSae)
                .put("W_dec", i -> gauss(rng, 1 / Math.sqrt(dIn)), dSae, dIn)
                .put("b_dec", i -> gauss(rng, 0.1), dIn)
                .write(dir.resolve("sae_weights.safetensors"));
        new SafetensorsWriter()
                .put("sparsity", i -> i % 11 == 0 ? -10f : (float) (-1 - 3 * rng.nextDouble()), dSae)
                .write(dir.resolve("sparsity.safetensors"));
        return dir;
    }

    private static float gauss(SplittableRandom rng, double std) {
        return RandomGpt2Files.gauss(rng, std);
    }
}
