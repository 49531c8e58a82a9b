package org.plateau.sae;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.plateau.io.SafetensorsWriter;

/**
 * Small SAEs of each kind SAELens writes, with random weights, for the tests: the cfg.json is
 * given as written (so that old and new SAELens layouts can both be tried), the tensors its kind needs
 * are drawn from a seed.
 */
public final class SaeKindFiles {

    public static final int D_IN = 24;
    public static final int D_SAE = 96;

    private SaeKindFiles() {}

    /**
     * Writes {@code cfg} (JSON without braces; d_in and d_sae are added) and weights for
     * {@code tensors} (besides W_enc, W_dec, b_dec), each drawn so that a fair share of latents fire.
     */
    public static Path write(Path dir, String cfg, long seed, String... tensors) {
        SplittableRandom rng = new SplittableRandom(seed);
        SafetensorsWriter w = new SafetensorsWriter()
                .put("W_enc", i -> RandomSaeFiles.gauss(rng, 1 / Math.sqrt(D_IN)), D_IN, D_SAE)
                .put("W_dec", i -> RandomSaeFiles.gauss(rng, 1 / Math.sqrt(D_IN)), D_SAE, D_IN)
                .put("b_dec", i -> RandomSaeFiles.gauss(rng, 0.5), D_IN);
        for (String t : tensors) {
            switch (t) {
                case "b_enc", "b_gate", "b_mag" -> w.put(t, i -> RandomSaeFiles.gauss(rng, 0.3) - 0.2f, D_SAE);
                case "threshold" -> w.put(t, i -> (float) (0.4 * rng.nextDouble()), D_SAE);
                case "log_threshold" -> w.put(t, i -> (float) Math.log(0.05 + 0.4 * rng.nextDouble()), D_SAE);
                case "r_mag" -> w.put(t, i -> RandomSaeFiles.gauss(rng, 0.5), D_SAE);
                case "scaling_factor" -> w.put(t, i -> 1.25f, D_SAE);
                default -> throw new IllegalArgumentException(t);
            }
        }
        float[] sparsity = new float[D_SAE];
        for (int l = 0; l < D_SAE; l++) {
            sparsity[l] = l % 11 == 0 ? -10f : (float) (-1 - 4 * rng.nextDouble());
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cfg.json"), "{\"d_in\": " + D_IN + ", \"d_sae\": " + D_SAE
                    + (cfg.isBlank() ? "" : ", " + cfg) + "}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        w.write(dir.resolve("sae_weights.safetensors"));
        new SafetensorsWriter().put("sparsity", sparsity, D_SAE).write(dir.resolve("sparsity.safetensors"));
        return dir;
    }

    /** Activations away from the origin, of uneven scale, so that each normalisation matters. */
    public static float[] activation(SplittableRandom rng) {
        float[] x = new float[D_IN];
        double offset = 2 * rng.nextDouble() - 1;
        double scale = 0.5 + 3 * rng.nextDouble();
        for (int i = 0; i < D_IN; i++) {
            x[i] = (float) (offset + scale * RandomSaeFiles.gauss(rng, 1));
        }
        return x;
    }
}
