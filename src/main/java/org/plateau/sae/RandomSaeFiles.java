package org.plateau.sae;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.plateau.io.SafetensorsWriter;

/**
 * SAEs of random weights in SAELens' format (cfg.json, sae_weights.safetensors,
 * sparsity.safetensors), the same for a seed on every machine: the demo's, the benchmark's and the
 * tests'. Two constructions: Gaussian directions with one encoder bias, or directions taken from
 * activations with a threshold per latent (as the reference oracle builds its SAE, so that an
 * activation's own latents are found again after decoding).
 */
public final class RandomSaeFiles {

    private RandomSaeFiles() {}

    /**
     * W_enc and W_dec with i.i.d. N(0, 1/d_in) entries, every latent's encoder bias {@code bEnc},
     * b_dec as given (or N(0, 0.1²) entries when null), and log-sparsity uniform in [−6, −1]
     * except every {@code deadEvery}-th latent (0: none), which is dead.
     */
    public static Path gaussian(Path dir, int dIn, int dSae, long seed, float[] bDec, float bEnc, int deadEvery,
            String hookName) {
        SplittableRandom rng = new SplittableRandom(seed);
        double std = 1 / Math.sqrt(dIn);
        float[] b = bDec != null ? bDec : gaussians(rng, dIn, 0.1);
        float[] sparsity = new float[dSae];
        for (int l = 0; l < dSae; l++) {
            sparsity[l] = deadEvery > 0 && l % deadEvery == 0 ? -10f : (float) (-1 - 5 * rng.nextDouble());
        }
        SafetensorsWriter weights = new SafetensorsWriter()
                .put("W_enc", i -> gauss(rng, std), dIn, dSae)
                .put("b_enc", i -> bEnc, dSae)
                .put("W_dec", i -> gauss(rng, std), dSae, dIn)
                .put("b_dec", b, dIn);
        return write(dir, dIn, dSae, hookName, weights, sparsity, "");
    }

    /**
     * Directions from activations: three quarters of the decoder rows are centred activations
     * plus noise, the rest noise, all of unit length; the encoder is their transpose; each latent's
     * threshold fires it on {@code firingRate} of the activations; log-sparsity is that rate as
     * measured, and every 37th latent is dead.
     */
    public static Path fromActivations(Path dir, float[][] acts, int dSae, double firingRate, long seed, String hookName,
            String extraConfig) {
        int samples = acts.length;
        int dIn = acts[0].length;
        float[] bDec = new float[dIn];
        for (float[] a : acts) {
            for (int i = 0; i < dIn; i++) {
                bDec[i] += a[i] / samples;
            }
        }
        double[][] centred = new double[samples][dIn];
        double spread = 0;
        for (int k = 0; k < samples; k++) {
            for (int i = 0; i < dIn; i++) {
                centred[k][i] = acts[k][i] - bDec[i];
                spread += centred[k][i] * centred[k][i] / ((double) samples * dIn);
            }
        }
        double noise = 0.3 * Math.sqrt(spread);
        SplittableRandom rng = new SplittableRandom(seed);
        int fromData = dSae * 3 / 4;
        float[] wDec = new float[dSae * dIn];
        for (int l = 0; l < dSae; l++) {
            double[] row = new double[dIn];
            double[] source = l < fromData ? centred[rng.nextInt(samples)] : null;
            double norm = 0;
            for (int i = 0; i < dIn; i++) {
                row[i] = (source == null ? 0 : source[i]) + (source == null ? 1 : noise) * gauss(rng, 1);
                norm += row[i] * row[i];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < dIn; i++) {
                wDec[l * dIn + i] = (float) (row[i] / norm);
            }
        }
        // each latent's threshold: the (1 − firingRate) quantile of its projections
        float[] bEnc = new float[dSae];
        float[] logSparsity = new float[dSae];
        double[] proj = new double[samples];
        int rank = (int) Math.floor(samples * (1 - firingRate));
        for (int l = 0; l < dSae; l++) {
            for (int k = 0; k < samples; k++) {
                double sum = 0;
                for (int i = 0; i < dIn; i++) {
                    sum += centred[k][i] * wDec[l * dIn + i];
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
        SafetensorsWriter weights = new SafetensorsWriter()
                .put("W_enc", i -> wDec[(int) (i % dSae) * dIn + (int) (i / dSae)], dIn, dSae)
                .put("b_enc", bEnc, dSae)
                .put("W_dec", wDec, dSae, dIn)
                .put("b_dec", bDec, dIn);
        return write(dir, dIn, dSae, hookName, weights, logSparsity, extraConfig);
    }

    /** The format, written in one place. */
    private static Path write(Path dir, int dIn, int dSae, String hookName, SafetensorsWriter weights, float[] sparsity,
            String extraConfig) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cfg.json"), """
                    {"architecture": "standard", "d_in": %d, "d_sae": %d, "hook_name": "%s",
                     "apply_b_dec_to_input": true, "activation_fn_str": "relu", "normalize_activations": "none"%s}
                    """.formatted(dIn, dSae, hookName, extraConfig.isEmpty() ? "" : ", " + extraConfig));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        weights.write(dir.resolve("sae_weights.safetensors"));
        new SafetensorsWriter().put("sparsity", sparsity, dSae).write(dir.resolve("sparsity.safetensors"));
        return dir;
    }

    private static float[] gaussians(SplittableRandom rng, int n, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = gauss(rng, std);
        }
        return out;
    }

    /** A normal draw from two uniforms (Box–Muller): the same numbers on every Java version. */
    static float gauss(SplittableRandom rng, double std) {
        double u = 1 - rng.nextDouble();
        return (float) (std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble()));
    }
}
