package org.plateau;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.plateau.io.SafetensorsWriter;

/**
 * Small random GPT-2 models and SAEs written in the real on-disk formats, for tests that need a
 * shape the oracle's fixtures do not have (GPT-2's vocabulary, so that text prompts work).
 */
public final class TestModels {

    private TestModels() {}

    /** A GPT-2-architecture model with GPT-2's 50257-token vocabulary, tiny otherwise. */
    public static Path gpt2Vocabulary(Path dir, int layers, int heads, int width, int context, long seed) throws IOException {
        Files.createDirectories(dir);
        int vocab = 50257;
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "gpt2", "activation_function": "gelu_new", "n_layer": %d, "n_head": %d,
                 "n_embd": %d, "n_positions": %d, "vocab_size": %d, "layer_norm_epsilon": 1e-05}
                """.formatted(layers, heads, width, context, vocab));
        SplittableRandom rng = new SplittableRandom(seed);
        SafetensorsWriter w = new SafetensorsWriter();
        long d = width;
        w.put("transformer.wte.weight", i -> gauss(rng, 1.0), vocab, d);
        w.put("transformer.wpe.weight", i -> gauss(rng, 0.5), context, d);
        for (int l = 0; l < layers; l++) {
            String p = "transformer.h." + l + ".";
            w.put(p + "ln_1.weight", i -> 1f + gauss(rng, 0.1), d).put(p + "ln_1.bias", i -> gauss(rng, 0.1), d);
            w.put(p + "attn.c_attn.weight", i -> gauss(rng, 1.2 / Math.sqrt(d)), d, 3 * d)
                    .put(p + "attn.c_attn.bias", i -> gauss(rng, 0.1), 3 * d);
            w.put(p + "attn.c_proj.weight", i -> gauss(rng, 1 / Math.sqrt(d)), d, d)
                    .put(p + "attn.c_proj.bias", i -> gauss(rng, 0.1), d);
            w.put(p + "ln_2.weight", i -> 1f + gauss(rng, 0.1), d).put(p + "ln_2.bias", i -> gauss(rng, 0.1), d);
            w.put(p + "mlp.c_fc.weight", i -> gauss(rng, 2 / Math.sqrt(d)), d, 4 * d)
                    .put(p + "mlp.c_fc.bias", i -> gauss(rng, 0.5), 4 * d);
            w.put(p + "mlp.c_proj.weight", i -> gauss(rng, 1 / Math.sqrt(4 * d)), 4 * d, d)
                    .put(p + "mlp.c_proj.bias", i -> gauss(rng, 0.1), d);
        }
        w.put("transformer.ln_f.weight", i -> 1f + gauss(rng, 0.1), d).put("transformer.ln_f.bias", i -> gauss(rng, 0.1), d);
        w.write(dir.resolve("model.safetensors"));
        return dir;
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
        // Box–Muller: a normal draw from two uniforms
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return (float) (std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    }
}
