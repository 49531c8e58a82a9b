package org.plateau.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.plateau.PlateauException;
import org.plateau.io.CacheDir;
import org.plateau.model.Gpt2Config;
import org.plateau.model.RandomGpt2Files;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.sae.RandomSaeFiles;

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
    static final String VERSION = "v6";

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
     * An SAE built the way the reference oracle builds its own, from activations of the model: so,
     * as with a trained SAE, an activation's own latents are found again after decoding and encoding.
     */
    private static void writeSae(Path modelDir, Path dir) {
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
        RandomSaeFiles.fromActivations(dir, acts, LATENTS, FIRING_RATE, SEED + 2, "blocks.1.hook_resid_pre",
                "\"hook_layer\": 1, \"plateau_demo\": \"random weights; not a trained SAE\"");
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
