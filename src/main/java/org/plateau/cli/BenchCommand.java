package org.plateau.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.plateau.PlateauException;
import org.plateau.io.Json;
import org.plateau.io.SafetensorsWriter;
import org.plateau.model.Gpt2;
import org.plateau.model.Gpt2Config;
import org.plateau.model.HookPoint;
import org.plateau.perturbation.Curve;
import org.plateau.perturbation.PerturbationSweep;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.SweepSettings;
import org.plateau.sae.Sae;

/**
 * {@code bench}: speed and memory of the engine on a GPT-2-small-shaped model with random weights
 * (nothing downloaded), every ratio measured in this one run.
 */
final class BenchCommand implements Command {

    /** GPT-2 small: 12 blocks, 12 heads, width 768, context 1024, GPT-2's vocabulary. */
    static final Gpt2Config GPT2_SMALL = new Gpt2Config(12, 12, 768, 1024, 50257, 1e-5);
    static final int SAE_LATENTS = 24576;
    static final int PROMPT_LENGTH = 10;

    /** Perturbations per type in the paper's study. */
    static final int PAPER_N = 1000;
    /** Sweeps of a default reproduce: 7 targets × 2 step modes (sensitivity), 4 bases (plateau). */
    static final int REPRODUCE_SWEEPS = PAPER_N * (7 * 2 + 4);
    /** Prefix runs of a default reproduce: a base per perturbation index and experiment. */
    static final int REPRODUCE_PREFILLS = PAPER_N * (2 + 4);

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "speed and memory on a GPT-2-small-shaped model with random weights (no download)";
    }

    @Override
    public String usage() {
        return """
              --sweeps N           timed sweeps (default 10; the median is reported)
              --device cpu|gpu     default: the GPU when DJL finds one
              --json               print the measurements as one JSON object""";
    }

    @Override
    public Set<String> valueOptions() {
        return Set.of("sweeps", "device");
    }

    @Override
    public Set<String> switches() {
        return Set.of("json");
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        int sweeps = o.getInt("sweeps", 10);
        if (sweeps < 1 || sweeps > 1000) {
            throw new PlateauException("--sweeps must be between 1 and 1000.");
        }
        Device device = Inputs.device(o);
        Path saeDir = null;
        try {
            err.println("bench: writing a random " + SAE_LATENTS + "-latent SAE to a temporary folder…");
            saeDir = writeRandomSae(GPT2_SMALL.dModel(), SAE_LATENTS);
            err.println("bench: building GPT-2 small with random weights on " + device + "…");
            long t0 = System.nanoTime();
            try (Gpt2 model = Gpt2.random(GPT2_SMALL, 1234, device)) {
                Sae sae = Sae.load(saeDir);
                double loadSeconds = seconds(t0);
                out.println(measure(model, sae, sweeps, loadSeconds, device, o.has("json"), err));
            }
        } finally {
            deleteQuietly(saeDir);
        }
    }

    private String measure(Gpt2 model, Sae sae, int sweeps, double loadSeconds, Device device, boolean json,
            PrintStream err) {
        Random random = new Random(42);
        int[] baseTokens = random.ints(PROMPT_LENGTH, 0, GPT2_SMALL.vocabSize() - 1).toArray();
        int[] targetTokens = random.ints(PROMPT_LENGTH, 0, GPT2_SMALL.vocabSize() - 1).toArray();
        HookPoint hook = HookPoint.residPre(1);
        SweepSettings settings = SweepSettings.defaults(GPT2_SMALL.nLayer(), StepMode.ABSOLUTE);
        PerturbationSweep sweep = new PerturbationSweep(model);
        float[] target = model.activation(targetTokens, hook);

        // touch every weight once (SAE pages included) before measuring memory
        sae.encode(target);
        err.println("bench: warming up…");
        double[] prefillTimes = new double[sweeps];
        double[] sweepTimes = new double[sweeps];
        for (int i = -2; i < sweeps; i++) {
            long t = System.nanoTime();
            try (Gpt2.Prefix prefix = sweep.prepare(baseTokens, hook)) {
                double prefill = seconds(t);
                long s = System.nanoTime();
                Curve c = sweep.run(prefix, target, settings);
                if (c.l2().length != settings.steps() + 1) {
                    throw new IllegalStateException("sweep returned " + c.l2().length + " steps");
                }
                if (i >= 0) {
                    prefillTimes[i] = prefill;
                    sweepTimes[i] = seconds(s);
                }
            }
            if (i == -1) {
                err.println("bench: timing " + sweeps + " sweeps…");
            }
        }
        long residentAfterLoad = Memory.residentBytes();
        double prefillSeconds = median(prefillTimes);
        double batchSeconds = median(sweepTimes);
        double sweepSeconds = prefillSeconds + batchSeconds;

        err.println("bench: timing the naive path (the whole prompt again for each of 101 steps)…");
        float[] base;
        try (Gpt2.Prefix prefix = sweep.prepare(baseTokens, hook)) {
            base = prefix.activation();
        }
        long n0 = System.nanoTime();
        sweep.runFullRecompute(baseTokens, base, target, settings);
        double naiveSeconds = seconds(n0);

        err.println("bench: timing a plain matrix multiply…");
        double matmulGflops = matmulGflops(device);
        double sweepFlops = sweepFlops(settings, hook) + prefillFlops(hook);
        double achievedGflops = sweepFlops / sweepSeconds / 1e9;
        double estimateHours = (REPRODUCE_SWEEPS * batchSeconds + REPRODUCE_PREFILLS * prefillSeconds) / 3600;

        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("device", device.toString());
        r.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        r.put("model", "GPT-2 small shape, random weights (12 blocks, d 768, vocab 50257)");
        r.put("sae_latents", SAE_LATENTS);
        r.put("load_seconds", round(loadSeconds, 3));
        r.put("sweep_seconds", round(sweepSeconds, 4));
        r.put("sweeps_per_second", round(1 / sweepSeconds, 2));
        r.put("prefill_seconds", round(prefillSeconds, 4));
        r.put("batch_seconds", round(batchSeconds, 4));
        r.put("naive_sweep_seconds", round(naiveSeconds, 3));
        r.put("speedup_vs_naive", round(naiveSeconds / sweepSeconds, 2));
        r.put("sweep_gflop", round(sweepFlops / 1e9, 2));
        r.put("achieved_gflops", round(achievedGflops, 1));
        r.put("matmul_gflops", round(matmulGflops, 1));
        r.put("fraction_of_matmul_peak", round(achievedGflops / matmulGflops, 3));
        r.put("resident_mb", Math.round(residentAfterLoad / 1e6));
        r.put("peak_resident_mb", Math.round(Memory.peakResidentBytes() / 1e6));
        r.put("reproduce_sweeps", REPRODUCE_SWEEPS);
        r.put("estimated_reproduce_hours", round(estimateHours, 2));
        if (json) {
            return r.toPrettyString();
        }
        return String.format("""
                Plateau bench — %s, %d threads, GPT-2 small shape (random weights) + %d-latent SAE
                  one 101-step sweep with L2 and KL   %.3f s  (%.1f sweeps/s; prefix %.3f s + batch %.3f s)
                  naive path (whole prompt per step)  %.3f s  → speed-up %.1f×
                  achieved                            %.1f GFLOP/s of %.2f GFLOP per sweep
                  plain %dx%d matrix multiply         %.1f GFLOP/s → %.0f %% of it
                  resident after loading              %d MB (peak %d MB)
                  full default reproduce (%d sweeps)  ≈ %.1f h on this machine
                """, device, r.get("threads").asInt(), SAE_LATENTS, sweepSeconds, 1 / sweepSeconds, prefillSeconds,
                batchSeconds, naiveSeconds, naiveSeconds / sweepSeconds, achievedGflops, sweepFlops / 1e9,
                MATMUL_N, MATMUL_N, matmulGflops, 100 * achievedGflops / matmulGflops,
                Math.round(residentAfterLoad / 1e6), Math.round(Memory.peakResidentBytes() / 1e6),
                REPRODUCE_SWEEPS, estimateHours);
    }

    /** Matrix-multiply FLOPs of one cached sweep: the remaining blocks and the unembedding, for N + 1 rows. */
    static double sweepFlops(SweepSettings s, HookPoint hook) {
        double rows = s.steps() + 1;
        double d = GPT2_SMALL.dModel();
        int blocks = GPT2_SMALL.nLayer() - hook.index();
        double perBlock = rows * 24 * d * d + rows * 4 * d * PROMPT_LENGTH;
        return blocks * perBlock + rows * 2 * d * GPT2_SMALL.vocabSize();
    }

    /** FLOPs of running the prompt once to fill the cache. */
    static double prefillFlops(HookPoint hook) {
        double d = GPT2_SMALL.dModel();
        return GPT2_SMALL.nLayer() * (PROMPT_LENGTH * 24 * d * d + 4.0 * PROMPT_LENGTH * PROMPT_LENGTH * d);
    }

    static final int MATMUL_N = 1024;

    /** The median rate of a plain square float32 matrix multiply through DJL. */
    static double matmulGflops(Device device) {
        try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
            NDArray a = m.randomNormal(0, 1, new Shape(MATMUL_N, MATMUL_N), DataType.FLOAT32);
            NDArray b = m.randomNormal(0, 1, new Shape(MATMUL_N, MATMUL_N), DataType.FLOAT32);
            double[] times = new double[15];
            for (int i = -3; i < times.length; i++) {
                long t = System.nanoTime();
                NDArray c = a.matMul(b);
                c.getFloat(0, 0); // wait for the result (a device may run asynchronously)
                c.close();
                if (i >= 0) {
                    times[i] = seconds(t);
                }
            }
            return 2.0 * MATMUL_N * MATMUL_N * MATMUL_N / median(times) / 1e9;
        }
    }

    /** A random SAE of GPT-2 small's width in SAELens format, written without holding it in the heap. */
    static Path writeRandomSae(int dIn, int dSae) {
        try {
            Path dir = Files.createTempDirectory("plateau-bench-sae");
            Files.writeString(dir.resolve("cfg.json"), "{\"d_in\": " + dIn + ", \"d_sae\": " + dSae
                    + ", \"hook_name\": \"blocks.1.hook_resid_pre\", \"apply_b_dec_to_input\": true}");
            SplittableRandom rng = new SplittableRandom(7);
            float scale = (float) (1 / Math.sqrt(dIn));
            new SafetensorsWriter()
                    .put("W_enc", i -> (float) (rng.nextDouble() - 0.5) * scale, dIn, dSae)
                    .put("b_enc", i -> -0.1f, dSae)
                    .put("W_dec", i -> (float) (rng.nextDouble() - 0.5) * scale, dSae, dIn)
                    .put("b_dec", i -> 0f, dIn)
                    .write(dir.resolve("sae_weights.safetensors"));
            new SafetensorsWriter()
                    .put("sparsity", i -> (float) (-1 - 5 * rng.nextDouble()), dSae)
                    .write(dir.resolve("sparsity.safetensors"));
            return dir;
        } catch (IOException e) {
            throw new PlateauException("Cannot write the benchmark's SAE to a temporary folder (" + e.getMessage() + ").");
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder; the OS cleans it eventually
        }
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
