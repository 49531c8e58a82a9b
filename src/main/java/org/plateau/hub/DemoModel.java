package org.plateau.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.plateau.PlateauException;
import org.plateau.io.CacheDir;
import org.plateau.io.SafetensorsWriter;
import org.plateau.model.Gpt2Config;
import org.plateau.model.RandomGpt2Files;
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
    /**
     * Each latent fires on this share of activations, the reference oracle's choice: low thresholds
     * keep a decoded code close enough to the activation that encoding finds its latents again.
     */
    static final double FIRING_RATE = 0.07;
    static final long SEED = 20241124;
    /** Bumped whenever what is generated changes, so that old copies are not used. */
    static final String VERSION = "v5";

    /** Where it is. */
    public record Folders(Path model, Path sae) {}

    private DemoModel() {}

    public static synchronized Folders ensure() {
        Path root = CacheDir.root().resolve("demo").resolve(VERSION);
        Folders f = new Folders(root.resolve("model"), root.resolve("sae"));
        if (Files.exists(f.sae().resolve("sparsity.safetensors"))) {
            return f;
        }
        try {
            Path tmp = Files.createDirectories(root.getParent()).resolve(VERSION + ".building-" + ProcessHandle.current().pid());
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
        RandomGpt2Files.write(dir, new Gpt2Config(LAYERS, HEADS, WIDTH, CONTEXT, VOCAB, 1e-5), SEED, "",
                "\"plateau_demo\": \"random weights for trying the interface; not a trained model\"");
    }

    /**
     * An SAE built the way the reference oracle builds its own: most decoder directions are real
     * activations (plus noise), the encoder is their transpose, and each latent's threshold lets it
     * fire on about FIRING_RATE of activations — so, as with a trained SAE, an activation's own
     * latents are found again after decoding and encoding. log-sparsity is the measured firing rate.
     */
    private static void writeSae(Path modelDir, Path dir) throws IOException {
        Files.createDirectories(dir);
        int samples = 2048;
        float[][] acts;
        try (Gpt2 model = Gpt2.load(modelDir, Processing.TL, ai.djl.Device.cpu())) {
            SplittableRandom r = new SplittableRandom(SEED + 1);
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                prompts.add(r.ints(10, 0, VOCAB - 1).toArray());
            }
            acts = model.activations(prompts, HookPoint.residPre(1));
        }
        float[] bDec = new float[WIDTH];
        for (float[] a : acts) {
            for (int i = 0; i < WIDTH; i++) {
                bDec[i] += a[i] / samples;
            }
        }
        double[][] centred = new double[samples][WIDTH];
        double spread = 0;
        for (int k = 0; k < samples; k++) {
            for (int i = 0; i < WIDTH; i++) {
                centred[k][i] = acts[k][i] - bDec[i];
                spread += centred[k][i] * centred[k][i] / ((double) samples * WIDTH);
            }
        }
        double noise = 0.3 * Math.sqrt(spread);
        SplittableRandom rng = new SplittableRandom(SEED + 2);
        int fromData = LATENTS * 3 / 4;
        float[] wDec = new float[LATENTS * WIDTH];
        for (int l = 0; l < LATENTS; l++) {
            double[] row = new double[WIDTH];
            double[] source = l < fromData ? centred[rng.nextInt(samples)] : null;
            double norm = 0;
            for (int i = 0; i < WIDTH; i++) {
                row[i] = (source == null ? 0 : source[i]) + (source == null ? 1 : noise) * gauss(rng, 1);
                norm += row[i] * row[i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < WIDTH; i++) {
                wDec[l * WIDTH + i] = (float) (row[i] / norm);
            }
        }
        // each latent's threshold: the (1 − FIRING_RATE) quantile of its projections
        float[] bEnc = new float[LATENTS];
        float[] logSparsity = new float[LATENTS];
        double[] proj = new double[samples];
        int rank = (int) Math.floor(samples * (1 - FIRING_RATE));
        for (int l = 0; l < LATENTS; l++) {
            for (int k = 0; k < samples; k++) {
                double sum = 0;
                for (int i = 0; i < WIDTH; i++) {
                    sum += centred[k][i] * wDec[l * WIDTH + i];
                }
                proj[k] = sum;
            }
            double[] sorted = proj.clone();
            java.util.Arrays.sort(sorted);
            boolean dead = l % 37 == 0; // a few latents never fire, as in trained SAEs
            bEnc[l] = dead ? -1e6f : (float) -sorted[rank];
            int fires = 0;
            for (double v : proj) {
                fires += v + bEnc[l] > 0 ? 1 : 0;
            }
            logSparsity[l] = (float) Math.log10(fires / (double) samples + 1e-10);
        }
        Files.writeString(dir.resolve("cfg.json"), """
                {"architecture": "standard", "d_in": %d, "d_sae": %d, "hook_name": "blocks.1.hook_resid_pre",
                 "hook_layer": 1, "apply_b_dec_to_input": true, "activation_fn_str": "relu",
                 "normalize_activations": "none", "plateau_demo": "random weights; not a trained SAE"}
                """.formatted(WIDTH, LATENTS));
        new SafetensorsWriter()
                .put("W_enc", i -> wDec[(int) (i % LATENTS) * WIDTH + (int) (i / LATENTS)], WIDTH, LATENTS)
                .put("b_enc", bEnc, LATENTS)
                .put("W_dec", wDec, LATENTS, WIDTH)
                .put("b_dec", bDec, WIDTH)
                .write(dir.resolve("sae_weights.safetensors"));
        new SafetensorsWriter().put("sparsity", logSparsity, LATENTS).write(dir.resolve("sparsity.safetensors"));
    }

    private static float gauss(SplittableRandom rng, double std) {
        return RandomGpt2Files.gauss(rng, std);
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
