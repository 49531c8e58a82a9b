package org.plateau;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.plateau.io.SafetensorsWriter;
import org.plateau.model.Gpt2Config;
import org.plateau.model.RandomGpt2Files;
import org.plateau.sae.RandomSaeFiles;

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
    public static Path sae(Path dir, int dIn, int dSae, long seed) {
        return RandomSaeFiles.gaussian(dir, dIn, dSae, seed, null, -0.05f, 11, "blocks.1.hook_resid_pre");
    }

    /** GPT-2 small's published greedy output for "The dog" (token ids 464, 3290), with the prompt. */
    public static final int[] PUBLISHED_GPT2 = {464, 3290, 373, 1043, 287, 257, 2214, 1474, 262, 16246, 286, 2688, 290,
        2688, 27262, 13, 198, 198, 464, 3290};

    /**
     * A GPT-2-vocabulary model built by hand so that greedy decoding of "The dog" follows
     * {@code sequence}: its blocks write nothing (zero output projections), so the last position's
     * stream is wte[token] + wpe[position]; each token of the sequence has its own axis, and the
     * position embedding points three times as strongly at the axis of the token that follows.
     */
    public static Path following(Path dir, int[] sequence) throws IOException {
        int d = 64;
        int vocab = 50257;
        int ctx = 32;
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "gpt2", "activation_function": "gelu_new", "n_layer": 2, "n_head": 4, "n_embd": %d,
                 "n_positions": %d, "vocab_size": %d, "layer_norm_epsilon": 1e-05}
                """.formatted(d, ctx, vocab));
        java.util.Map<Integer, Integer> axis = new java.util.LinkedHashMap<>();
        for (int t : sequence) {
            axis.putIfAbsent(t, 1 + axis.size());
        }
        SplittableRandom rng = new SplittableRandom(5);
        float[] wte = new float[vocab * d];
        for (int v = 0; v < vocab; v++) {
            for (int i = 0; i < d; i++) {
                wte[v * d + i] = axis.containsKey(v) ? (i == axis.get(v) ? 1f : 0f) : gauss(rng, 0.01);
            }
        }
        float[] wpe = new float[ctx * d];
        for (int p = 0; p + 1 < sequence.length; p++) {
            wpe[p * d + axis.get(sequence[p + 1])] = 3f;
        }
        SafetensorsWriter w = new SafetensorsWriter().put("wte.weight", wte, vocab, d).put("wpe.weight", wpe, ctx, d);
        for (int l = 0; l < 2; l++) {
            String p = "h." + l + ".";
            w.put(p + "ln_1.weight", i -> 1f, d).put(p + "ln_1.bias", i -> 0f, d)
                    .put(p + "attn.c_attn.weight", i -> gauss(rng, 0.1), d, 3 * d).put(p + "attn.c_attn.bias", i -> 0f, 3 * d)
                    .put(p + "attn.c_proj.weight", i -> 0f, d, d).put(p + "attn.c_proj.bias", i -> 0f, d)
                    .put(p + "ln_2.weight", i -> 1f, d).put(p + "ln_2.bias", i -> 0f, d)
                    .put(p + "mlp.c_fc.weight", i -> gauss(rng, 0.1), d, 4 * d).put(p + "mlp.c_fc.bias", i -> 0f, 4 * d)
                    .put(p + "mlp.c_proj.weight", i -> 0f, 4 * d, d).put(p + "mlp.c_proj.bias", i -> 0f, d);
        }
        w.put("ln_f.weight", i -> 1f, d).put("ln_f.bias", i -> 0f, d);
        w.write(dir.resolve("model.safetensors"));
        return dir;
    }

    private static float gauss(SplittableRandom rng, double std) {
        return RandomGpt2Files.gauss(rng, std);
    }
}
