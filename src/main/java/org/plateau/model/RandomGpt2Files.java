package org.plateau.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.plateau.io.SafetensorsWriter;

/**
 * Writes a GPT-2 family model with random weights in Hugging Face's layout (config.json +
 * model.safetensors), the same for a given seed on every machine: the demo model, and test models
 * of shapes the oracle's fixtures lack. Scales follow the reference oracle's random models.
 */
public final class RandomGpt2Files {

    private RandomGpt2Files() {}

    /**
     * @param keyPrefix "" or "transformer." (the two key layouts of METHOD §1)
     * @param extraConfig more JSON fields for config.json (without braces), or ""
     */
    public static Path write(Path dir, Gpt2Config c, long seed, String keyPrefix, String extraConfig) throws IOException {
        return write(dir, c, seed, keyPrefix, false, extraConfig);
    }

    /** As above; {@code lmHead}: also write {@code lm_head.weight}, a copy of wte, as save_pretrained does. */
    public static Path write(Path dir, Gpt2Config c, long seed, String keyPrefix, boolean lmHead, String extraConfig)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "gpt2", "activation_function": "gelu_new", "n_layer": %d, "n_head": %d, "n_embd": %d,
                 "n_positions": %d, "vocab_size": %d, "layer_norm_epsilon": %s%s}
                """.formatted(c.nLayer(), c.nHead(), c.dModel(), c.nCtx(), c.vocabSize(), c.layerNormEps(),
                extraConfig.isEmpty() ? "" : ", " + extraConfig));
        SplittableRandom rng = new SplittableRandom(seed);
        long d = c.dModel();
        String k = keyPrefix;
        SafetensorsWriter w = new SafetensorsWriter();
        if (lmHead) {
            float[] wte = new float[Math.toIntExact(c.vocabSize() * d)];
            for (int i = 0; i < wte.length; i++) {
                wte[i] = gauss(rng, 1.0);
            }
            w.put(k + "wte.weight", wte, c.vocabSize(), d);
            w.put("lm_head.weight", wte, c.vocabSize(), d);
        } else {
            w.put(k + "wte.weight", i -> gauss(rng, 1.0), c.vocabSize(), d);
        }
        w.put(k + "wpe.weight", i -> gauss(rng, 0.5), c.nCtx(), d);
        for (int l = 0; l < c.nLayer(); l++) {
            String p = k + "h." + l + ".";
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
        w.put(k + "ln_f.weight", i -> 1f + gauss(rng, 0.1), d).put(k + "ln_f.bias", i -> gauss(rng, 0.1), d);
        w.write(dir.resolve("model.safetensors"));
        return dir;
    }

    /** A normal draw from two uniforms (Box–Muller): the same numbers on every Java version. */
    public static float gauss(SplittableRandom rng, double std) {
        double u = 1 - rng.nextDouble();
        return (float) (std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble()));
    }
}
