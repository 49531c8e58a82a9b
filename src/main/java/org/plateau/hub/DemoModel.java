package org.plateau.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.plateau.PlateauException;
import org.plateau.io.CacheDir;
import org.plateau.io.SafetensorsWriter;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;

/**
 * The bundled demo: a small GPT-2-architecture model with GPT-2's vocabulary (so text prompts work)
 * and an SAE of its layer-1 residual stream, both with random weights, generated the same way on
 * every machine on first use. It lets people try the interface without a download; everything
 * made with it says that it is not a result.
 */
public final class DemoModel {

    static final int LAYERS = 4;
    static final int HEADS = 4;
    static final int WIDTH = 128;
    static final int CONTEXT = 128;
    static final int VOCAB = 50257;
    static final int LATENTS = 1024;
    /** Latents that fire on a typical activation, as in a trained SAE. */
    static final int ACTIVE = 20;
    static final long SEED = 20241124;

    /** Where it is. */
    public record Folders(Path model, Path sae) {}

    private DemoModel() {}

    public static synchronized Folders ensure() {
        Path root = CacheDir.root().resolve("demo").resolve("v1");
        Folders f = new Folders(root.resolve("model"), root.resolve("sae"));
        if (Files.exists(f.sae().resolve("sparsity.safetensors"))) {
            return f;
        }
        try {
            Path tmp = Files.createDirectories(root.getParent()).resolve("v1.building-" + ProcessHandle.current().pid());
            writeModel(tmp.resolve("model"));
            writeSae(tmp.resolve("model"), tmp.resolve("sae"));
            if (!Files.exists(root)) {
                Files.move(tmp, root); // whole, or not at all
            } else {
                deleteTree(tmp);
            }
            return f;
        } catch (IOException e) {
            throw new PlateauException("Cannot create the demo model under " + root + " (" + e.getMessage() + ").");
        }
    }

    private static void writeModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), """
                {"model_type": "gpt2", "activation_function": "gelu_new", "n_layer": %d, "n_head": %d, "n_embd": %d,
                 "n_positions": %d, "vocab_size": %d, "layer_norm_epsilon": 1e-05,
                 "plateau_demo": "random weights for trying the interface; not a trained model"}
                """.formatted(LAYERS, HEADS, WIDTH, CONTEXT, VOCAB));
        SplittableRandom rng = new SplittableRandom(SEED);
        long d = WIDTH;
        SafetensorsWriter w = new SafetensorsWriter().metadata("plateau_demo", "random weights");
        w.put("wte.weight", i -> gauss(rng, 1.0), VOCAB, d);
        w.put("wpe.weight", i -> gauss(rng, 0.5), CONTEXT, d);
        for (int l = 0; l < LAYERS; l++) {
            String p = "h." + l + ".";
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
        w.put("ln_f.weight", i -> 1f + gauss(rng, 0.1), d).put("ln_f.bias", i -> gauss(rng, 0.1), d);
        w.write(dir.resolve("model.safetensors"));
    }

    /** An SAE whose biases are set from the model's own activations so that about ACTIVE latents fire. */
    private static void writeSae(Path modelDir, Path dir) throws IOException {
        Files.createDirectories(dir);
        float[][] acts;
        try (Gpt2 model = Gpt2.load(modelDir, Processing.TL, ai.djl.Device.cpu())) {
            SplittableRandom r = new SplittableRandom(SEED + 1);
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                prompts.add(r.ints(10, 0, VOCAB - 1).toArray());
            }
            acts = model.activations(prompts, HookPoint.residPre(1));
        }
        float[] bDec = new float[WIDTH];
        for (float[] a : acts) {
            for (int i = 0; i < WIDTH; i++) {
                bDec[i] += a[i] / acts.length;
            }
        }
        double meanNorm = 0;
        for (float[] a : acts) {
            double s = 0;
            for (int i = 0; i < WIDTH; i++) {
                s += (a[i] - bDec[i]) * (a[i] - bDec[i]);
            }
            meanNorm += Math.sqrt(s) / acts.length;
        }
        double z = new NormalDistribution().inverseCumulativeProbability(1 - (double) ACTIVE / LATENTS);
        float threshold = (float) (z * meanNorm / Math.sqrt(WIDTH));
        Files.writeString(dir.resolve("cfg.json"), """
                {"architecture": "standard", "d_in": %d, "d_sae": %d, "hook_name": "blocks.1.hook_resid_pre",
                 "hook_layer": 1, "apply_b_dec_to_input": true, "activation_fn_str": "relu",
                 "normalize_activations": "none", "plateau_demo": "random weights; not a trained SAE"}
                """.formatted(WIDTH, LATENTS));
        SplittableRandom rng = new SplittableRandom(SEED + 2);
        float scale = (float) (1 / Math.sqrt(WIDTH));
        new SafetensorsWriter()
                .put("W_enc", i -> gauss(rng, 1) * scale, WIDTH, LATENTS)
                .put("b_enc", i -> -threshold, LATENTS)
                .put("W_dec", i -> gauss(rng, 1) * scale, LATENTS, WIDTH)
                .put("b_dec", bDec, WIDTH)
                .write(dir.resolve("sae_weights.safetensors"));
        // a few dead latents at the minimum, the rest spread like log10 firing frequencies
        new SafetensorsWriter()
                .put("sparsity", i -> i % 37 == 0 ? -10f : (float) (-1 - 4 * rng.nextDouble()), LATENTS)
                .write(dir.resolve("sparsity.safetensors"));
    }

    private static float gauss(SplittableRandom rng, double std) {
        double u = 1 - rng.nextDouble();
        return (float) (std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble()));
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
