package org.plateau.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.plateau.PlateauException;
import org.plateau.data.Datasets;
import org.plateau.data.RandomTokenPrompts;
import org.plateau.experiment.Experiment;
import org.plateau.experiment.Lab;
import org.plateau.experiment.PerturbationSettings;
import org.plateau.experiment.Perturber;
import org.plateau.experiment.StudyRunner;
import org.plateau.experiment.StudySettings;
import org.plateau.explore.ExploreRequest;
import org.plateau.explore.Explorer;
import org.plateau.model.Gpt2;
import org.plateau.model.Gpt2Config;
import org.plateau.model.Gpt2Prefix;
import org.plateau.model.HookPoint;
import org.plateau.model.Lanes;
import org.plateau.perturbation.ActivationDistribution;
import org.plateau.perturbation.Curve;
import org.plateau.perturbation.Paper;
import org.plateau.perturbation.PerturbationSweep;
import org.plateau.perturbation.PromptSource;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.SweepSettings;
import org.plateau.perturbation.TargetType;
import org.plateau.sae.RandomSaeFiles;
import org.plateau.sae.Sae;

/**
 * The measurements behind {@code bench}, on a GPT-2-small-shaped model with random weights and a
 * 24576-latent SAE (nothing downloaded). Every ratio is taken within one run: the paths compared
 * run on the same machine in the same minutes, and sweeps alternate with plain matrix multiplies
 * so that both see the same clock and neighbours.
 */
final class Bench {

    /** GPT-2 small: 12 blocks, 12 heads, width 768, context 1024, GPT-2's vocabulary. */
    static final Gpt2Config GPT2_SMALL = new Gpt2Config(12, 12, 768, 1024, 50257, 1e-5);
    static final int SAE_LATENTS = 24576;
    /** Latents that fire on a typical activation, as in the paper's SAE (≈ 21). */
    static final int ACTIVE_LATENTS = 21;
    static final int MATMUL_N = 1024;
    /** Activations the random-target fit is timed on; the estimate scales it to the paper's 32000. */
    static final int FIT_SAMPLE = 2000;
    /** Bases of the real study timed for the estimate. */
    static final int STUDY_BASES = 3;

    private final Gpt2 model;
    private final Sae sae;
    private final Device device;
    private final PrintStream err;
    private final HookPoint hook = HookPoint.residPre(1);
    private final SweepSettings settings = SweepSettings.defaults(GPT2_SMALL.nLayer(), StepMode.ABSOLUTE);
    private final int[] baseTokens;
    private final int[] targetTokens;

    Bench(Gpt2 model, Sae sae, Device device, PrintStream err) {
        this.model = model;
        this.sae = sae;
        this.device = device;
        this.err = err;
        Random random = new Random(42);
        this.baseTokens = random.ints(Paper.PROMPT_LENGTH, 0, GPT2_SMALL.vocabSize() - 1).toArray();
        this.targetTokens = random.ints(Paper.PROMPT_LENGTH, 0, GPT2_SMALL.vocabSize() - 1).toArray();
    }

    /** One sweep: its prefix and its batch, and the same-run matrix-multiply rate beside it. */
    record Single(double prefillSeconds, double batchSeconds, double matmulGflops, double fractionOfMatmul) {
        double seconds() {
            return prefillSeconds + batchSeconds;
        }
    }

    /** A base's sweeps batched as reproduce runs them. */
    record Batched(double secondsPerSweep, double fractionOfMatmul) {}

    /** The same with {@code --lanes 2}: seconds per sweep, and how many times as fast as one lane (median, range). */
    record SideBySide(double secondsPerSweep, double gain, double minGain, double maxGain) {}

    /**
     * Where a base of the real study spends its time, and what its statistics cost once: the
     * random-target fit (forward passes that grow with the activations, then a fixed decomposition)
     * and the latents' firing statistics (the same forward passes, then their SAE codes).
     */
    record Study(double secondsPerBase, Map<StudyRunner.Phase, Double> phaseSeconds, int sweepsPerBase,
            int paperSweepsPerBase, double paperSecondsPerBase, double fitGrowingSeconds, double fitFixedSeconds,
            double firingsSeconds, double matmulGflops, long peakResidentBytes) {

        double fitSeconds() {
            return fitGrowingSeconds + fitFixedSeconds;
        }

        double hours(int bases) {
            return (bases * secondsPerBase + fitSeconds() + firingsSeconds) / 3600;
        }

        /**
         * The study of the paper's types only ({@code reproduce --types paper}): its own bases, timed
         * in alternation with the default's, and no firing statistics (only the co-occurrence
         * synthesis needs them).
         */
        double paperTypesHours(int bases) {
            return (bases * paperSecondsPerBase + fitSeconds()) / 3600;
        }

        /**
         * The default layer study ({@code layers}: every block, sensitivity, relative and plateau, no
         * latents experiment), scaled from this study at the bench's hook: a sweep's cost follows
         * the blocks after the perturbed one plus the unembedding, a statistics forward pass the
         * blocks before it; the rest of a base, and the SAE codes, do not depend on the layer.
         */
        double layerStudyHours(Bench bench, int bases) {
            double sweeps = phaseSeconds.getOrDefault(StudyRunner.Phase.SWEEPS, 0.0);
            double latents = phaseSeconds.getOrDefault(StudyRunner.Phase.LATENTS, 0.0);
            double fixedPerBase = secondsPerBase - sweeps - latents;
            double atBench = bench.sweepFlops(bench.hook.index());
            int before = Math.max(1, bench.hook.index());
            double seconds = 0;
            for (int layer = 0; layer < GPT2_SMALL.nLayer(); layer++) {
                double perBase = fixedPerBase + sweeps * bench.sweepFlops(layer) / atBench;
                double forward = fitGrowingSeconds * Math.max(1, layer) / before;
                seconds += bases * perBase + forward + fitFixedSeconds + firingsSeconds;
            }
            return seconds / 3600;
        }
    }

    /** Explore: a settings change on a loaded base, and a new prompt's first curve. */
    record Explore(double redrawSeconds, double firstCurveSeconds) {}

    Single single(int rounds) {
        err.println("bench: timing " + rounds + " sweeps, each beside a plain " + MATMUL_N + "² matrix multiply…");
        PerturbationSweep sweep = new PerturbationSweep(model);
        float[] target = model.activation(targetTokens, hook);
        try (MatMul mm = new MatMul(device)) {
            for (int i = 0; i < 2; i++) {
                timeSweep(sweep, target);
                mm.gflops();
            }
            double[] prefill = new double[rounds];
            double[] batch = new double[rounds];
            double[] rate = new double[rounds];
            double[] ratio = new double[rounds];
            double flops = sweepFlops() + prefillFlops();
            for (int i = 0; i < rounds; i++) {
                double[] t = timeSweep(sweep, target);
                prefill[i] = t[0];
                batch[i] = t[1];
                rate[i] = mm.gflops();
                ratio[i] = flops / (t[0] + t[1]) / 1e9 / rate[i];
            }
            return new Single(median(prefill), median(batch), median(rate), median(ratio));
        }
    }

    /** [prefill seconds, batch seconds] of one sweep. */
    private double[] timeSweep(PerturbationSweep sweep, float[] target) {
        long t = System.nanoTime();
        try (Gpt2Prefix prefix = model.prefill(baseTokens, hook)) {
            double prefill = seconds(t);
            long s = System.nanoTime();
            Curve c = sweep.run(prefix, target, settings);
            if (c.l2().length != settings.steps() + 1) {
                throw new IllegalStateException("sweep returned " + c.l2().length + " steps");
            }
            return new double[] {prefill, seconds(s)};
        }
    }

    Batched batched(int sweepsPerBase) {
        err.println("bench: timing one base's " + sweepsPerBase + " sweeps batched as reproduce runs them…");
        PerturbationSweep sweep = new PerturbationSweep(model, Lanes.one());
        float[] target = model.activation(targetTokens, hook);
        double perBaseFlops = baseFlops(sweepsPerBase);
        try (MatMul mm = new MatMul(device)) {
            double[] seconds = new double[3];
            double[] ratio = new double[3];
            for (int i = -1; i < seconds.length; i++) {
                double perSweep = baseSeconds(sweep, sweepsPerBase, target) / sweepsPerBase;
                double rate = mm.gflops();
                if (i >= 0) {
                    seconds[i] = perSweep;
                    ratio[i] = perBaseFlops / sweepsPerBase / perSweep / 1e9 / rate;
                }
            }
            return new Batched(median(seconds), median(ratio));
        }
    }

    /**
     * {@code reproduce --lanes 2} against one lane: a base's sweeps batched both ways, alternating,
     * each first in turn, {@code rounds} times. Timed last: the memory that the lanes' threads keep
     * would otherwise count in the peaks of everything after. Null without two CPU cores.
     */
    SideBySide sideBySide(int sweepsPerBase, int rounds) {
        try (Lanes two = Lanes.forDevice(device, 2)) {
            if (two.count() < 2) {
                return null;
            }
            err.println("bench: timing a base's sweeps with --lanes 2 against one lane, " + rounds + " rounds…");
            PerturbationSweep oneLane = new PerturbationSweep(model, Lanes.one());
            float[] target = model.activation(targetTokens, hook);
            PerturbationSweep twoLanes = new PerturbationSweep(model, two);
            baseSeconds(twoLanes, sweepsPerBase, target); // the lanes' first run
            double[] seconds = new double[rounds];
            double[] gain = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                double one = 0;
                double side = 0;
                for (int k = 0; k < 2; k++) {
                    if ((k == 0) == (i % 2 == 0)) {
                        one = baseSeconds(oneLane, sweepsPerBase, target);
                    } else {
                        side = baseSeconds(twoLanes, sweepsPerBase, target);
                    }
                }
                seconds[i] = side / sweepsPerBase;
                gain[i] = one / side;
            }
            return new SideBySide(median(seconds), median(gain), Arrays.stream(gain).min().orElse(0),
                    Arrays.stream(gain).max().orElse(0));
        }
    }

    /** Seconds of one base: its prompt prepared, then its sweeps batched. */
    private double baseSeconds(PerturbationSweep sweep, int sweepsPerBase, float[] target) {
        long t = System.nanoTime();
        try (Gpt2Prefix prefix = model.prefill(baseTokens, hook)) {
            List<PerturbationSweep.Job> jobs = new ArrayList<>();
            for (int j = 0; j < sweepsPerBase; j++) {
                jobs.add(new PerturbationSweep.Job(prefix.activation(), target, settings));
            }
            sweep.runAll(prefix, jobs, Perturber.MAX_BATCH_ROWS);
        }
        return seconds(t);
    }

    /** The paper authors' pipeline: 101 whole prompts as one batch, everything cached, logits at every position. */
    double authorsPath() {
        err.println("bench: timing the authors' path (101 whole prompts, every activation cached)…");
        PerturbationSweep sweep = new PerturbationSweep(model);
        float[] target = model.activation(targetTokens, hook);
        float[] base = model.activation(baseTokens, hook);
        sweep.runAuthorsPath(baseTokens, base, target, settings);
        double[] t = new double[2];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            sweep.runAuthorsPath(baseTokens, base, target, settings);
            t[i] = seconds(s);
        }
        return median(t);
    }

    /** A naive path: the whole prompt again for each of the 101 steps, one at a time. */
    double naivePath() {
        err.println("bench: timing the naive path (the whole prompt again for each of 101 steps)…");
        PerturbationSweep sweep = new PerturbationSweep(model);
        float[] target = model.activation(targetTokens, hook);
        float[] base = model.activation(baseTokens, hook);
        long s = System.nanoTime();
        sweep.runFullRecompute(baseTokens, base, target, settings);
        return seconds(s);
    }

    /**
     * The window's two waits: a settings change redrawing on a loaded base (the base's run kept,
     * a new target made and swept), and a new prompt's first curve.
     */
    Explore explore(Lab lab) {
        err.println("bench: timing the explorer (settings changes on a loaded base, and new prompts)…");
        PerturbationSettings base = new PerturbationSettings(hook, settings.read(), Paper.STEP_SIZE, Paper.STEPS,
                Paper.AP_THRESHOLD, Paper.TARGET_COS, FIT_SAMPLE);
        try (Explorer ex = new Explorer(lab)) {
            ex.usePrompts(new RandomTokenPrompts(GPT2_SMALL.vocabSize(), Paper.PROMPT_LENGTH));
            ex.run(new ExploreRequest(baseTokens, TargetType.RANDOM, null, StepMode.ABSOLUTE, 1, base), null); // warm-up
            List<ExploreRequest> changes = List.of(
                    new ExploreRequest(baseTokens, TargetType.SYNTHETIC_STRUCTURED, null, StepMode.ABSOLUTE, 1, base),
                    new ExploreRequest(baseTokens, TargetType.SYNTHETIC_STRUCTURED, null, StepMode.RELATIVE, 1, base),
                    new ExploreRequest(baseTokens, TargetType.SYNTHETIC_STRUCTURED, null, StepMode.ABSOLUTE, 1,
                            base.withStepSize(0.7)),
                    new ExploreRequest(baseTokens, TargetType.MODEL_GENERATED, null, StepMode.ABSOLUTE, 2, base),
                    new ExploreRequest(baseTokens, TargetType.SYNTHETIC_BASELINE, null, StepMode.ABSOLUTE, 3, base));
            double[] redraw = new double[changes.size()];
            for (int i = 0; i < redraw.length; i++) {
                long t = System.nanoTime();
                ex.run(changes.get(i), null);
                redraw[i] = seconds(t);
            }
            double[] first = new double[3];
            for (int i = 0; i < first.length; i++) {
                int[] prompt = ex.drawPrompt(100 + i);
                long t = System.nanoTime();
                ex.run(new ExploreRequest(prompt, TargetType.SYNTHETIC_STRUCTURED, null, StepMode.ABSOLUTE, 1, base), null);
                first[i] = seconds(t);
            }
            return new Explore(median(redraw), median(first));
        }
    }

    /**
     * A few bases of the default study (all experiments, all target types), each phase timed, in
     * alternation with the same bases of the paper's types only, and the random-target fit on
     * {@link #FIT_SAMPLE} activations scaled to the paper's 32000. A plain multiply after each
     * base gives the rate of the same minutes, which the study's physical limit is taken at.
     */
    Study study(Lab lab, String layerNote) {
        err.println("bench: timing the study's own work (reproduce) for a few bases" + layerNote
                + ", the default types and the paper's alternately…");
        Memory.resetPeak();
        PromptSource prompts = new RandomTokenPrompts(GPT2_SMALL.vocabSize(), Paper.PROMPT_LENGTH);
        // the fit: forward passes and sums that grow with the activations, then one decomposition that does not
        List<int[]> sample = new ArrayList<>();
        org.apache.commons.math3.random.RandomGenerator rng = org.plateau.perturbation.Seeds.stream(0, "bench-fit");
        for (int i = 0; i < FIT_SAMPLE; i++) {
            sample.add(prompts.draw(rng));
        }
        long t = System.nanoTime();
        ActivationDistribution.Accumulator sums = new ActivationDistribution.Accumulator(GPT2_SMALL.dModel());
        for (int start = 0; start < FIT_SAMPLE; start += 1024) {
            sums.add(model.activations(sample.subList(start, Math.min(FIT_SAMPLE, start + 1024)), hook));
        }
        double growing = seconds(t) * Paper.STATS_ACTIVATIONS / FIT_SAMPLE;
        t = System.nanoTime();
        sums.finish();
        double fixed = seconds(t);
        lab.distribution(hook, prompts, FIT_SAMPLE, null); // what the study below draws its random targets from
        t = System.nanoTime();
        lab.firings(hook, prompts, FIT_SAMPLE, null); // and its co-occurrence targets choose by
        double firings = seconds(t) * Paper.STATS_ACTIVATIONS / FIT_SAMPLE;
        StudySettings s = new StudySettings(Paper.N, 0, Datasets.RANDOM_TOKENS, hook, settings.read(), Paper.STEP_SIZE,
                Paper.STEPS, Paper.AP_THRESHOLD, Paper.TARGET_COS, FIT_SAMPLE, TargetType.studied(),
                Set.of(Experiment.values()));
        StudyRunner runner = new StudyRunner(lab, s, prompts);
        StudyRunner paper = new StudyRunner(lab, new StudySettings(s.n(), s.seed(), s.dataset(), s.perturbation(),
                TargetType.paper(), s.experiments()), prompts);
        runner.run(0); // warm-up
        paper.run(0);
        Map<StudyRunner.Phase, Double> before = runner.seconds();
        double[] times = new double[STUDY_BASES];
        double[] paperTimes = new double[STUDY_BASES];
        double[] rates = new double[2 * STUDY_BASES];
        try (MatMul mm = new MatMul(device)) {
            for (int i = 0; i < STUDY_BASES; i++) {
                // the same bases in alternation, each study first in turn, and a plain multiply after
                // each base: every figure comes from the same minutes of the machine
                for (int k = 0; k < 2; k++) {
                    boolean paperTurn = (i + k) % 2 == 1;
                    (paperTurn ? paperTimes : times)[i] = timedBase(paperTurn ? paper : runner, i + 1);
                    rates[2 * i + k] = mm.gflops();
                }
            }
        }
        Map<StudyRunner.Phase, Double> phases = new EnumMap<>(StudyRunner.Phase.class);
        runner.seconds().forEach((p, v) -> phases.put(p, (v - before.getOrDefault(p, 0.0)) / STUDY_BASES));
        // the mean, as the phases are: a base's time is then the sum of its phases
        return new Study(Arrays.stream(times).average().orElse(0), phases, runner.sweepsPerBase(), paper.sweepsPerBase(),
                Arrays.stream(paperTimes).average().orElse(0), growing, fixed, firings, median(rates),
                Memory.peakResidentBytes());
    }

    private static double timedBase(StudyRunner runner, int index) {
        long t = System.nanoTime();
        runner.run(index);
        return seconds(t);
    }

    /** Matrix-multiply FLOPs of one base of the study: its prompt once, then its sweeps. */
    double baseFlops(int sweepsPerBase) {
        return sweepsPerBase * sweepFlops() + prefillFlops();
    }

    /** Matrix-multiply FLOPs of one cached sweep: the remaining blocks and the unembedding, for N + 1 rows. */
    double sweepFlops() {
        return sweepFlops(hook.index());
    }

    /** The same for a sweep perturbing residual-stream point {@code point} (block {@code point}'s input). */
    double sweepFlops(int point) {
        double rows = settings.steps() + 1;
        double d = GPT2_SMALL.dModel();
        int blocks = GPT2_SMALL.nLayer() - point;
        double perBlock = rows * 24 * d * d + rows * 4 * d * Paper.PROMPT_LENGTH;
        return blocks * perBlock + rows * 2 * d * GPT2_SMALL.vocabSize();
    }

    /** FLOPs of running the prompt once to fill the cache. */
    double prefillFlops() {
        double d = GPT2_SMALL.dModel();
        return GPT2_SMALL.nLayer() * (Paper.PROMPT_LENGTH * 24 * d * d + 4.0 * Paper.PROMPT_LENGTH * Paper.PROMPT_LENGTH * d);
    }

    /** Plain square multiplies on the device: the rate a sweep's matrix products are held to. */
    private static final class MatMul implements AutoCloseable {
        private final NDManager m;
        private final NDArray a;
        private final NDArray b;

        MatMul(Device device) {
            m = NDManager.newBaseManager(device, "PyTorch");
            a = m.randomNormal(0, 1, new Shape(MATMUL_N, MATMUL_N), DataType.FLOAT32);
            b = m.randomNormal(0, 1, new Shape(MATMUL_N, MATMUL_N), DataType.FLOAT32);
        }

        /** GFLOP/s of the median of three multiplies. */
        double gflops() {
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

        @Override
        public void close() {
            m.close();
        }
    }

    /**
     * A random SAE of the model's width in SAELens format, written without holding it in the heap.
     * Its encoder bias is set from activations of the model so that about {@link #ACTIVE_LATENTS}
     * latents fire, as in a trained SAE; the work per activation depends on that number.
     */
    static Path writeRandomSae(Gpt2 model, int dSae, Path folder) {
        int dIn = model.config().dModel();
        Random random = new Random(11);
        List<int[]> prompts = new ArrayList<>();
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
            return RandomSaeFiles.gaussian(folder, dIn, dSae, 7, bDec, -threshold, 0, "blocks.1.hook_resid_pre");
        } catch (java.io.UncheckedIOException e) {
            throw new PlateauException("Cannot write the benchmark's SAE to " + folder + " (" + e.getCause().getMessage() + ").");
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
}
