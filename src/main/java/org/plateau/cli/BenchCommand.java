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
import org.plateau.perturbation.Paper;
import org.plateau.PlateauException;
import org.plateau.io.Json;
import org.plateau.model.Gpt2;
import org.plateau.model.Gpt2Prefix;
import org.plateau.model.Gpt2Config;
import org.plateau.model.HookPoint;
import org.plateau.perturbation.Curve;
import org.plateau.perturbation.PerturbationSweep;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.SweepSettings;
import org.plateau.sae.RandomSaeFiles;
import org.plateau.sae.Sae;
import org.plateau.data.Datasets;
import org.plateau.perturbation.PromptSource;
import org.plateau.data.RandomTokenPrompts;
import org.plateau.experiment.Experiment;
import org.plateau.experiment.Lab;
import org.plateau.experiment.StudyRunner;
import org.plateau.experiment.StudySettings;
import org.plateau.perturbation.TargetType;
import java.util.List;

/**
 * {@code bench}: speed and memory of the engine on a GPT-2-small-shaped model with random weights
 * (nothing downloaded), every ratio measured in this one run.
 */
final class BenchCommand implements Command {

    /** GPT-2 small: 12 blocks, 12 heads, width 768, context 1024, GPT-2's vocabulary. */
    static final Gpt2Config GPT2_SMALL = new Gpt2Config(12, 12, 768, 1024, 50257, 1e-5);
    static final int SAE_LATENTS = 24576;

    /** Sweeps of a default reproduce: 7 targets × 2 step modes (sensitivity), 4 bases (plateau). */
    static final int REPRODUCE_SWEEPS = Paper.N * (7 * 2 + 4);

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "speed and memory on a GPT-2-small-shaped model with random weights (no download)";
    }

    @Override
    public Usage usage() {
        return new Usage()
                .value("sweeps", "N", "timed sweeps (default 10; the median is reported)")
                .value("device", "cpu|gpu", "default: the GPU when DJL finds one")
                .flag("json", "print the measurements as one JSON object");
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        int sweeps = o.getInt("sweeps", 10);
        if (sweeps < 1 || sweeps > 1000) {
            throw new PlateauException("--sweeps must be between 1 and 1000.");
        }
        Device device = Inputs.device(o);
        Path saeDir = null;
        err.println("bench: building GPT-2 small with random weights on " + device + "…");
        long t0 = System.nanoTime();
        try (Gpt2 model = Gpt2.random(GPT2_SMALL, 1234, device)) {
            double modelSeconds = seconds(t0);
            err.println("bench: writing a random " + SAE_LATENTS + "-latent SAE to a temporary folder…");
            saeDir = writeRandomSae(model, SAE_LATENTS);
            long t1 = System.nanoTime();
            Sae sae = Sae.load(saeDir);
            double loadSeconds = modelSeconds + seconds(t1);
            out.println(measure(model, sae, sweeps, loadSeconds, device, o.has("json"), err));
        } finally {
            deleteQuietly(saeDir);
        }
    }

    private String measure(Gpt2 model, Sae sae, int sweeps, double loadSeconds, Device device, boolean json,
            PrintStream err) {
        Random random = new Random(42);
        int[] baseTokens = random.ints(Paper.PROMPT_LENGTH, 0, GPT2_SMALL.vocabSize() - 1).toArray();
        int[] targetTokens = random.ints(Paper.PROMPT_LENGTH, 0, GPT2_SMALL.vocabSize() - 1).toArray();
        HookPoint hook = HookPoint.residPre(1);
        SweepSettings settings = SweepSettings.defaults(GPT2_SMALL.nLayer(), StepMode.ABSOLUTE);
        PerturbationSweep sweep = new PerturbationSweep(model);
        float[] target = model.activation(targetTokens, hook);

        // touch every weight once (SAE pages included) before measuring memory
        sae.encode(target);
        err.println("bench: warming up…");
        try (NDManager mm = NDManager.newBaseManager(device, "PyTorch")) {
            NDArray a = mm.randomNormal(0, 1, new Shape(MATMUL_N, MATMUL_N), DataType.FLOAT32);
            NDArray b = mm.randomNormal(0, 1, new Shape(MATMUL_N, MATMUL_N), DataType.FLOAT32);
            for (int i = 0; i < 2; i++) {
                timeSweep(sweep, baseTokens, hook, target, settings);
                timeMatmul(a, b);
            }
            // Rounds alternate a sweep and plain matrix multiplies, so that both see the same machine
            // (clock speed and neighbours drift on shared hardware); ratios are taken round by round.
            err.println("bench: timing " + sweeps + " sweeps, each beside a plain " + MATMUL_N + "² matrix multiply…");
            double[] prefillTimes = new double[sweeps];
            double[] batchTimes = new double[sweeps];
            double[] matmulRates = new double[sweeps];
            double[] ratios = new double[sweeps];
            double flops = sweepFlops(settings, hook) + prefillFlops(hook);
            for (int i = 0; i < sweeps; i++) {
                double[] t = timeSweep(sweep, baseTokens, hook, target, settings);
                prefillTimes[i] = t[0];
                batchTimes[i] = t[1];
                matmulRates[i] = timeMatmul(a, b);
                ratios[i] = flops / (t[0] + t[1]) / 1e9 / matmulRates[i];
            }
            long residentAfterLoad = Memory.residentBytes();
            double prefillSeconds = median(prefillTimes);
            double batchSeconds = median(batchTimes);
            double sweepSeconds = prefillSeconds + batchSeconds;
            double matmulGflops = median(matmulRates);
            double fraction = median(ratios);

            err.println("bench: timing one base's 18 sweeps batched as reproduce runs them…");
            double[] batched = new double[3];
            double[] batchedRatios = new double[3];
            double perBaseFlops = STUDY_SWEEPS_PER_BASE * sweepFlops(settings, hook) + prefillFlops(hook);
            for (int i = -1; i < batched.length; i++) {
                long t = System.nanoTime();
                try (Gpt2Prefix prefix = sweep.prepare(baseTokens, hook)) {
                    List<PerturbationSweep.Job> jobs = new java.util.ArrayList<>();
                    for (int j = 0; j < STUDY_SWEEPS_PER_BASE; j++) {
                        jobs.add(new PerturbationSweep.Job(prefix.activation(), target, settings));
                    }
                    sweep.runAll(prefix, jobs, org.plateau.experiment.Perturber.MAX_BATCH_ROWS);
                }
                double seconds = seconds(t) / STUDY_SWEEPS_PER_BASE;
                double rate = timeMatmul(a, b);
                if (i >= 0) {
                    batched[i] = seconds;
                    batchedRatios[i] = perBaseFlops / STUDY_SWEEPS_PER_BASE / seconds / 1e9 / rate;
                }
            }
            double batchedSeconds = median(batched);
            double batchedFraction = median(batchedRatios);

            err.println("bench: timing the naive path (the whole prompt again for each of 101 steps)…");
            float[] base;
            try (Gpt2Prefix prefix = sweep.prepare(baseTokens, hook)) {
                base = prefix.activation();
            }
            long n0 = System.nanoTime();
            sweep.runFullRecompute(baseTokens, base, target, settings);
            double naiveSeconds = seconds(n0);
            double achievedGflops = flops / sweepSeconds / 1e9;
            return report(json, device, loadSeconds, sweepSeconds, prefillSeconds, batchSeconds, naiveSeconds, flops,
                    achievedGflops, matmulGflops, fraction, batchedSeconds, batchedFraction, residentAfterLoad,
                    estimateStudy(model, sae, hook, err));
        }
    }

    /** Sweeps per base in the default study: 7 targets × 2 step modes and 4 plateau bases. */
    static final int STUDY_SWEEPS_PER_BASE = 7 * 2 + 4;

    /** [prefill seconds, batch seconds] of one sweep. */
    private static double[] timeSweep(PerturbationSweep sweep, int[] tokens, HookPoint hook, float[] target,
            SweepSettings settings) {
        long t = System.nanoTime();
        try (Gpt2Prefix prefix = sweep.prepare(tokens, hook)) {
            double prefill = seconds(t);
            long s = System.nanoTime();
            Curve c = sweep.run(prefix, target, settings);
            if (c.l2().length != settings.steps() + 1) {
                throw new IllegalStateException("sweep returned " + c.l2().length + " steps");
            }
            return new double[] {prefill, seconds(s)};
        }
    }

    /** GFLOP/s of the median of three plain square multiplies. */
    private static double timeMatmul(NDArray a, NDArray b) {
        double[] times = new double[3];
        for (int i = 0; i < times.length; i++) {
            long t = System.nanoTime();
            NDArray c = a.matMul(b);
            c.getFloat(0, 0); // wait for the result (a GPU runs asynchronously)
            c.close();
            times[i] = seconds(t);
        }
        return 2.0 * MATMUL_N * MATMUL_N * MATMUL_N / median(times) / 1e9;
    }

    private String report(boolean json, Device device, double loadSeconds, double sweepSeconds, double prefillSeconds,
            double batchSeconds, double naiveSeconds, double flops, double achievedGflops, double matmulGflops,
            double fraction, double batchedSeconds, double batchedFraction, long residentAfterLoad,
            StudyEstimate study) {
        double estimateHours = study.hours();

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
        r.put("sweep_gflop", round(flops / 1e9, 2));
        r.put("achieved_gflops", round(achievedGflops, 1));
        r.put("matmul_gflops", round(matmulGflops, 1));
        r.put("fraction_of_matmul_peak", round(fraction, 3));
        r.put("batched_sweep_seconds", round(batchedSeconds, 4));
        r.put("batched_fraction_of_matmul_peak", round(batchedFraction, 3));
        r.put("resident_mb", Math.round(residentAfterLoad / 1e6));
        r.put("peak_resident_mb", Math.round(Memory.peakResidentBytes() / 1e6));
        r.put("reproduce_sweeps", REPRODUCE_SWEEPS);
        r.put("reproduce_seconds_per_base", round(study.secondsPerBase(), 3));
        r.put("reproduce_fit_seconds", round(study.fitSeconds(), 1));
        r.put("estimated_reproduce_hours", round(estimateHours, 2));
        if (json) {
            return r.toPrettyString();
        }
        return String.format("""
                Plateau bench — %s, %d threads, GPT-2 small shape (random weights) + %d-latent SAE
                  one 101-step sweep with L2 and KL   %.3f s  (%.1f sweeps/s; prefix %.3f s + batch %.3f s)
                  naive path (whole prompt per step)  %.3f s  → speed-up %.1f×
                  achieved                            %.1f GFLOP/s of %.2f GFLOP per sweep
                  plain %dx%d matrix multiply       %.1f GFLOP/s → the sweep runs at %.0f %% of it
                  batched as reproduce runs them      %.3f s per sweep → %.0f %% of the matrix-multiply rate
                  resident after loading              %d MB (peak %d MB)
                  full default reproduce              ≈ %.1f h on this machine (%d bases × %.2f s, each 18 sweeps,
                                                      targets and latents, + %.0f s fitting random targets)
                """, device, r.get("threads").asInt(), SAE_LATENTS, sweepSeconds, 1 / sweepSeconds, prefillSeconds,
                batchSeconds, naiveSeconds, naiveSeconds / sweepSeconds, achievedGflops, flops / 1e9,
                MATMUL_N, MATMUL_N, matmulGflops, 100 * fraction, batchedSeconds, 100 * batchedFraction,
                Math.round(residentAfterLoad / 1e6), Math.round(Memory.peakResidentBytes() / 1e6),
                estimateHours, Paper.N, study.secondsPerBase(), study.fitSeconds());
    }

    /** Time of the study's work, measured on a few bases, and what the full default run would take. */
    record StudyEstimate(double secondsPerBase, double fitSeconds) {
        double hours() {
            return (Paper.N * secondsPerBase + fitSeconds) / 3600;
        }
    }

    /**
     * Runs a few bases of the default study (all experiments, all target types) on the benchmark
     * model, and fits the random-target distribution on a sample, scaled to the default 32000.
     */
    static StudyEstimate estimateStudy(Gpt2 model, Sae sae, HookPoint hook, PrintStream err) {
        err.println("bench: timing the study's own work (reproduce) for a few bases…");
        int sample = 2000;
        try (Lab lab = Lab.inMemory(model, sae, "bench")) {
            PromptSource prompts = new RandomTokenPrompts(GPT2_SMALL.vocabSize(), Paper.PROMPT_LENGTH);
            long t = System.nanoTime();
            lab.distribution(hook, prompts, sample, null);
            double fit = seconds(t);
            StudySettings s = new StudySettings(Paper.N, 0, Datasets.RANDOM_TOKENS, hook,
                    HookPoint.residPost(GPT2_SMALL.nLayer() - 1), Paper.STEP_SIZE,
                    Paper.STEPS, Paper.AP_THRESHOLD,
                    Paper.TARGET_COS, sample, List.of(TargetType.values()),
                    Set.of(Experiment.values()));
            StudyRunner runner = new StudyRunner(lab, s, prompts);
            runner.run(0); // warm-up
            double[] times = new double[3];
            for (int i = 0; i < times.length; i++) {
                long b = System.nanoTime();
                runner.run(i + 1);
                times[i] = seconds(b);
            }
            // the forward passes scale with the number of activations; the decomposition does not
            return new StudyEstimate(median(times), fit * Paper.STATS_ACTIVATIONS / sample);
        }
    }

    /** Matrix-multiply FLOPs of one cached sweep: the remaining blocks and the unembedding, for N + 1 rows. */
    static double sweepFlops(SweepSettings s, HookPoint hook) {
        double rows = s.steps() + 1;
        double d = GPT2_SMALL.dModel();
        int blocks = GPT2_SMALL.nLayer() - hook.index();
        double perBlock = rows * 24 * d * d + rows * 4 * d * Paper.PROMPT_LENGTH;
        return blocks * perBlock + rows * 2 * d * GPT2_SMALL.vocabSize();
    }

    /** FLOPs of running the prompt once to fill the cache. */
    static double prefillFlops(HookPoint hook) {
        double d = GPT2_SMALL.dModel();
        return GPT2_SMALL.nLayer() * (Paper.PROMPT_LENGTH * 24 * d * d + 4.0 * Paper.PROMPT_LENGTH * Paper.PROMPT_LENGTH * d);
    }

    static final int MATMUL_N = 1024;

    /** Latents that fire on a typical activation, as in the paper's SAE (≈ 21). */
    static final int ACTIVE_LATENTS = 21;

    /**
     * A random SAE of the model's width in SAELens format, written without holding it in the heap.
     * Its biases are set from activations of the model so that about {@link #ACTIVE_LATENTS}
     * latents fire, as in a trained SAE; the work per activation depends on that number.
     */
    static Path writeRandomSae(Gpt2 model, int dSae) {
        int dIn = model.config().dModel();
        Random random = new Random(11);
        List<int[]> prompts = new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
            prompts.add(random.ints(Paper.PROMPT_LENGTH, 0, GPT2_SMALL.vocabSize() - 1).toArray());
        }
        float[][] acts = model.activations(prompts, HookPoint.residPre(1));
        float[] bDec = new float[dIn];
        for (float[] a : acts) {
            for (int i = 0; i < dIn; i++) {
                bDec[i] += a[i] / acts.length;
            }
        }
        // W_enc has i.i.d. entries of std 1/√d, so (x − b_dec)·W_enc is normal with std ‖x − b_dec‖/√d;
        // a threshold at the right quantile of that normal leaves ACTIVE_LATENTS of dSae above it
        double meanNorm = 0;
        for (float[] a : acts) {
            double s = 0;
            for (int i = 0; i < dIn; i++) {
                s += (a[i] - bDec[i]) * (a[i] - bDec[i]);
            }
            meanNorm += Math.sqrt(s) / acts.length;
        }
        double z = new org.apache.commons.math3.distribution.NormalDistribution()
                .inverseCumulativeProbability(1 - (double) ACTIVE_LATENTS / dSae);
        float threshold = (float) (z * meanNorm / Math.sqrt(dIn));
        try {
            return RandomSaeFiles.gaussian(Files.createTempDirectory("plateau-bench-sae"), dIn, dSae, 7, bDec, -threshold,
                    0, "blocks.1.hook_resid_pre");
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
