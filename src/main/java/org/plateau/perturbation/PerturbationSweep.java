package org.plateau.perturbation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.List;
import java.util.concurrent.Future;
import org.plateau.model.Gpt2;
import org.plateau.model.Gpt2Prefix;
import org.plateau.model.HookPoint;
import org.plateau.model.Lanes;

/**
 * Runs perturbation sweeps (METHOD §2): the last position of the base prompt at the perturbed
 * hook walks from A toward T, and the read hook and the next-token distribution respond.
 *
 * <p>{@link #run} is the fast path: the base prompt's prefix is run once (its keys and values
 * kept), and all N + 1 points of the sweep go through the remaining blocks as one batch of
 * single positions. {@link #runFullRecompute} re-runs the whole prompt for every step, one step at
 * a time, as a naive implementation would; it exists to check and to measure the fast path.
 */
public final class PerturbationSweep {

    private final Gpt2 model;
    private final Lanes lanes;

    /** Sweeps on {@code model}, a run's batches on the model's lanes ({@link Gpt2#runSideBySide}). */
    public PerturbationSweep(Gpt2 model) {
        this(model, model.lanes());
    }

    /** Sweeps on {@code model}, a run's batches side by side on {@code lanes} ({@link Lanes#one()}: one after the other). */
    public PerturbationSweep(Gpt2 model, Lanes lanes) {
        this.model = model;
        this.lanes = lanes;
    }

    /** The base prompt prepared for sweeps at {@code hook}; close it when done. */
    public Gpt2Prefix prepare(int[] baseTokens, HookPoint hook) {
        return model.prefill(baseTokens, hook);
    }

    /** One sweep from the prefix's own activation toward {@code target}. */
    public Curve run(Gpt2Prefix prefix, float[] target, SweepSettings s) {
        return run(prefix, prefix.activation(), target, s);
    }

    /** One sweep from {@code base} (which may differ from the prompt's own activation) toward {@code target}. */
    public Curve run(Gpt2Prefix prefix, float[] base, float[] target, SweepSettings s) {
        if (prefix.at().index() != s.hook().index()) {
            throw new IllegalArgumentException("prefix prepared at " + prefix.at() + ", sweep at " + s.hook());
        }
        try (NDManager m = model.manager().newSubManager()) {
            Gpt2Prefix.Readout out = prefix.run(pathOnDevice(m, base, target, s), s.read(), new int[] {0});
            return new Curve(l2FromFirst(out.read()), out.kl());
        }
    }

    /**
     * {@link SweepSettings#path} built where it is used, from d-sized vectors: copying the
     * [N + 1, d] path from the Java heap would leave a direct buffer behind each sweep until the
     * next garbage collection, and a long session's memory would creep up.
     */
    static NDArray pathOnDevice(NDManager m, float[] base, float[] target, SweepSettings s) {
        int rows = s.steps() + 1;
        NDArray a = m.create(base);
        if (s.mode() == StepMode.ABSOLUTE) {
            float[] unit = SweepSettings.unitDirection(base, target);
            float[] offsets = new float[rows];
            for (int n = 0; n < rows; n++) {
                offsets[n] = (float) (s.stepSize() * n);
            }
            return a.add(m.create(offsets).reshape(rows, 1).mul(m.create(unit)));
        }
        float[] alpha = new float[rows];
        for (int n = 0; n < rows; n++) {
            alpha[n] = (float) ((double) n / s.steps());
        }
        NDArray t = m.create(target);
        NDArray fraction = m.create(alpha).reshape(rows, 1);
        return a.mul(fraction.neg().add(1f)).add(t.mul(fraction));
    }

    /**
     * One sweep of a batch: from {@code base} toward {@code target} with the given settings.
     *
     * @param keepReads whether its curve carries the read hook's activations (for a read-layer SAE)
     */
    public record Job(float[] base, float[] target, SweepSettings settings, boolean keepReads) {

        public Job(float[] base, float[] target, SweepSettings settings) {
            this(base, target, settings, false);
        }
    }

    /**
     * Several sweeps on one prompt, run together: their paths are stacked into batches of at most
     * {@code maxRows} rows (bigger matrix products, one pass over the unembedding per batch),
     * as few batches as that allows and of even sizes: a thin last batch would run at half the
     * rate of the others. All jobs must share the perturbed and the read hook.
     *
     * <p>On several lanes the batches run side by side, one per lane. The first keeps the prompt's
     * keys and values (the earlier positions ride along in its products); the others beside it
     * carry their own copies of those positions, taken before any batch starts, and a later batch
     * on a lane waits for the first to be through. So every batch's result is the same whatever
     * the lanes' timing.
     */
    public List<Curve> runAll(Gpt2Prefix prefix, List<Job> jobs, int maxRows) {
        int[] rows = new int[jobs.size()];
        for (int k = 0; k < rows.length; k++) {
            SweepSettings s = jobs.get(k).settings();
            if (s.hook().index() != prefix.at().index() || s.read().index() != jobs.get(0).settings().read().index()) {
                throw new IllegalArgumentException("the jobs share the prefix's perturbed hook and one read hook");
            }
            rows[k] = s.steps() + 1;
        }
        List<List<Job>> batches = new java.util.ArrayList<>();
        int start = 0;
        for (int end : batchEnds(rows, maxRows, lanes.count())) {
            batches.add(jobs.subList(start, end));
            start = end;
        }
        int side = Math.min(lanes.count(), batches.size());
        if (side <= 1) { // one batch, or one lane: on this thread, with all of its cores
            List<Curve> curves = new java.util.ArrayList<>();
            for (List<Job> batch : batches) {
                curves.addAll(runBatch(prefix, batch, null));
            }
            return curves;
        }
        List<Gpt2Prefix.Carried> copies = new java.util.ArrayList<>();
        for (int b = 1; b < side; b++) {
            copies.add(prefix.carry());
        }
        List<Future<List<Curve>>> done = new java.util.ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            List<Job> batch = batches.get(b);
            Gpt2Prefix.Carried copy = b > 0 && b < side ? copies.get(b - 1) : null;
            Future<List<Curve>> first = b < side ? null : done.get(0);
            done.add(lanes.submit(b % side, () -> {
                if (first != null) {
                    first.get();
                }
                return runBatch(prefix, batch, copy);
            }));
        }
        List<Curve> curves = new java.util.ArrayList<>();
        for (List<Curve> c : Lanes.awaitAll(done)) {
            curves.addAll(c);
        }
        return curves;
    }

    /**
     * Where each batch ends (exclusive job indices) for jobs of the given row counts, run on
     * {@code lanes} lanes: as few batches of at most {@code maxRows} rows as can be, a multiple of
     * the lanes when there are several (so that no lane idles at the end), filled evenly (a thin
     * last batch would run at half the rate of the others); a job longer than {@code maxRows}
     * goes alone.
     */
    static List<Integer> batchEnds(int[] rows, int maxRows, int lanes) {
        if (rows.length == 0) {
            return List.of();
        }
        long total = java.util.Arrays.stream(rows).asLongStream().sum();
        int batches = (int) Math.min(rows.length, (total + maxRows - 1) / maxRows);
        if (batches > 1 && batches % lanes != 0) {
            batches = Math.min(rows.length, batches + lanes - batches % lanes);
        }
        for (; batches < rows.length; batches++) {
            List<Integer> ends = evenSplit(rows, total, batches);
            if (eachFits(rows, ends, maxRows)) {
                return ends;
            }
        }
        return java.util.stream.IntStream.rangeClosed(1, rows.length).boxed().toList(); // each job alone
    }

    /** The jobs in {@code batches} runs of about equal rows: each goes where its middle row falls. */
    private static List<Integer> evenSplit(int[] rows, long total, int batches) {
        List<Integer> ends = new java.util.ArrayList<>();
        long before = 0;
        long current = 0;
        for (int j = 0; j < rows.length; j++) {
            long batch = Math.min(batches - 1, (2 * before + rows[j] - 1) * batches / (2 * total));
            if (j > 0 && batch != current) {
                ends.add(j);
            }
            current = batch;
            before += rows[j];
        }
        ends.add(rows.length);
        return ends;
    }

    /** Whether every batch of more than one job fits in {@code maxRows}. */
    private static boolean eachFits(int[] rows, List<Integer> ends, int maxRows) {
        int start = 0;
        for (int end : ends) {
            long sum = 0;
            for (int j = start; j < end; j++) {
                sum += rows[j];
            }
            if (end - start > 1 && sum > maxRows) {
                return false;
            }
            start = end;
        }
        return true;
    }

    /** One batch; with a copy from {@link Gpt2Prefix#carry}, the batch carries it (and keeps nothing). */
    private List<Curve> runBatch(Gpt2Prefix prefix, List<Job> jobs, Gpt2Prefix.Carried copy) {
        SweepSettings first = jobs.get(0).settings();
        try (NDManager m = model.manager().newSubManager()) {
            NDList paths = new NDList();
            for (Job j : jobs) {
                paths.add(pathOnDevice(m, j.base(), j.target(), j.settings()));
            }
            int[] starts = new int[jobs.size()];
            for (int k = 1; k < jobs.size(); k++) {
                starts[k] = starts[k - 1] + jobs.get(k - 1).settings().steps() + 1;
            }
            NDArray stacked = NDArrays.concat(paths);
            Gpt2Prefix.Readout out = copy == null ? prefix.run(stacked, first.read(), starts)
                    : prefix.runCarrying(stacked, first.read(), starts, copy);
            List<Curve> curves = new java.util.ArrayList<>();
            for (int k = 0; k < jobs.size(); k++) {
                int rows = jobs.get(k).settings().steps() + 1;
                NDIndex slice = new NDIndex("{}:{}", starts[k], starts[k] + rows);
                NDArray read = out.read().get(slice);
                curves.add(new Curve(l2FromFirst(read), java.util.Arrays.copyOfRange(out.kl(), starts[k], starts[k] + rows),
                        jobs.get(k).keepReads() ? rows(read) : null));
            }
            return curves;
        }
    }

    /**
     * The response at given points instead of a path: L2 and KL of each point against the first
     * (the unperturbed activation), with the read activations, all in one batch — a base's ablations.
     */
    public Curve runPoints(Gpt2Prefix prefix, List<float[]> points, HookPoint read) {
        try (NDManager m = model.manager().newSubManager()) {
            float[] flat = new float[points.size() * points.get(0).length];
            for (int k = 0; k < points.size(); k++) {
                System.arraycopy(points.get(k), 0, flat, k * points.get(0).length, points.get(0).length);
            }
            NDArray vectors = m.create(flat, new ai.djl.ndarray.types.Shape(points.size(), points.get(0).length));
            Gpt2Prefix.Readout out = prefix.run(vectors, read, new int[] {0});
            return new Curve(l2FromFirst(out.read()), out.kl(), rows(out.read()));
        }
    }

    /** [B, d] as B Java vectors. */
    private static float[][] rows(NDArray a) {
        int b = (int) a.getShape().get(0);
        int d = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        float[][] out = new float[b][];
        for (int r = 0; r < b; r++) {
            out[r] = java.util.Arrays.copyOfRange(flat, r * d, (r + 1) * d);
        }
        return out;
    }

    /**
     * The same sweep the way the paper's authors ran it: the N + 1 points as one batch of whole
     * prompts, every activation cached and log-probs at every position (TransformerLens'
     * {@code run_with_cache}). Kept to measure the fast path against.
     */
    public Curve runAuthorsPath(int[] baseTokens, float[] base, float[] target, SweepSettings s) {
        int rows = s.steps() + 1;
        int[][] prompts = new int[rows][];
        java.util.Arrays.fill(prompts, baseTokens);
        try (NDManager m = model.manager().newSubManager()) {
            Gpt2.Output o = model.runWithCache(prompts, new Gpt2.Patch(s.hook(), pathOnDevice(m, base, target, s)),
                    s.read(), m);
            return curveOf(o.recorded().get(s.read().name()), o.logProbs());
        }
    }

    /** The same sweep, recomputing the whole prompt for every step. */
    public Curve runFullRecompute(int[] baseTokens, float[] base, float[] target, SweepSettings s) {
        float[][] points = s.path(base, target);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray[] reads = new NDArray[points.length];
            NDArray[] logProbs = new NDArray[points.length];
            for (int n = 0; n < points.length; n++) {
                NDArray vector = m.create(points[n]).reshape(1, base.length);
                Gpt2.Output o = model.forward(new int[][] {baseTokens}, new Gpt2.Patch(s.hook(), vector),
                        List.of(s.read()), true, m);
                reads[n] = o.recorded().get(s.read().name());
                logProbs[n] = o.logProbs();
            }
            return curveOf(NDArrays.concat(new NDList(reads)), NDArrays.concat(new NDList(logProbs)));
        }
    }

    /** L2 against step 0 at the read hook, and KL(p₀ ‖ pₙ) from whole log-probability rows. */
    static Curve curveOf(NDArray read, NDArray logProbs) {
        NDArray l2 = read.sub(read.get(new NDIndex("0:1"))).norm(new int[] {1});
        return new Curve(toDoubles(l2.toFloatArray()), klFromLogProbs(logProbs));
    }

    /** ‖read(n) − read(0)‖₂ per row. */
    static double[] l2FromFirst(NDArray read) {
        return toDoubles(read.sub(read.get(new NDIndex("0:1"))).norm(new int[] {1}).toFloatArray());
    }

    /**
     * KL(p₀ ‖ pₙ) = Σ p₀·(log p₀ − log pₙ) = p₀·log p₀ − (log pₙ)·p₀ from whole log-probability
     * rows: the straightforward way, kept for the naive path that checks the fast one.
     */
    static double[] klFromLogProbs(NDArray logProbs) {
        NDArray lp0 = logProbs.get(new NDIndex("0"));
        NDArray p0 = lp0.exp();
        NDArray kl = p0.dot(lp0).sub(logProbs.matMul(p0));
        double[] klValues = toDoubles(kl.toFloatArray());
        klValues[0] = 0; // exactly: the same row on both sides
        return klValues;
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
