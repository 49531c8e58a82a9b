package org.plateau.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.plateau.PlateauException;

/**
 * GPT-2 with Hugging Face semantics (METHOD §1), on DJL's PyTorch engine: whole prompts, as
 * nanoGPT's {@code GPT.forward} runs them, with TransformerLens' hook points on the residual
 * stream. {@link #prefill} starts the other way to run it, for perturbation sweeps
 * ({@link Gpt2Prefix}). Both give the same numbers (a test holds them to float32 rounding).
 */
public final class Gpt2 implements AutoCloseable {

    static {
        MklKernels.configure(); // before the first matrix product, when MKL reads it
    }

    private final Gpt2Config cfg;
    private final Gpt2Weights w;
    private final List<TransformerBlock> blocks;
    private final Processing processing;
    private final NDManager manager;
    private Lanes lanes = Lanes.one();

    private Gpt2(Gpt2Weights weights, Processing processing, NDManager manager) {
        this.cfg = weights.config();
        this.w = weights;
        this.blocks = weights.blocks().stream().map(b -> new TransformerBlock(b, cfg)).toList();
        this.processing = processing;
        this.manager = manager;
    }

    /** Loads a Hugging Face model folder onto the default device (the GPU when DJL finds one). */
    public static Gpt2 load(Path dir, Processing processing) {
        return load(dir, processing, defaultDevice());
    }

    public static Gpt2 load(Path dir, Processing processing, Device device) {
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            return new Gpt2(Gpt2Weights.load(dir, processing, manager), processing, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A model of the given shape with random weights (benchmarks). */
    public static Gpt2 random(Gpt2Config config, long seed, Device device) {
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        return new Gpt2(Gpt2Weights.random(config, seed, manager), Processing.RAW, manager);
    }

    public static Device defaultDevice() {
        return Engine.getEngine("PyTorch").defaultDevice();
    }

    public Gpt2Config config() {
        return cfg;
    }

    public Processing processing() {
        return processing;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The manager that owns the weights; runs make sub-managers of it. */
    public NDManager manager() {
        return manager;
    }

    /** Where independent batches on this model run: one after the other unless {@link #runSideBySide} was asked. */
    public synchronized Lanes lanes() {
        return lanes;
    }

    /**
     * From now on, independent batches (a base's sweeps) run {@code count} at a time, each lane
     * with its share of the CPU's cores; 1 runs them one after the other with all of them. See
     * {@link Lanes} for what it gains and costs. On a GPU, or with fewer cores than lanes, there
     * is one lane.
     */
    public synchronized void runSideBySide(int count) {
        lanes.close();
        lanes = Lanes.forDevice(device(), count);
    }

    List<TransformerBlock> blocks() {
        return blocks;
    }

    /** Refuses prompts the model cannot run, with the reason. */
    public void checkTokens(int[] tokens) {
        if (tokens == null || tokens.length == 0) {
            throw new PlateauException("The prompt is empty.");
        }
        if (tokens.length > cfg.nCtx()) {
            throw new PlateauException("The prompt has " + tokens.length + " tokens but the model's context holds "
                    + cfg.nCtx() + ".");
        }
        for (int t : tokens) {
            if (t < 0 || t >= cfg.vocabSize()) {
                throw new PlateauException("Token id " + t + " is outside the model's vocabulary (0 to "
                        + (cfg.vocabSize() - 1) + ").");
            }
        }
    }

    // ------------------------------------------------------------------ whole prompts

    /** Replaces the last position of the residual stream at {@code at} by {@code vectors} [B, d]. */
    public record Patch(HookPoint at, NDArray vectors) {}

    /**
     * What a forward pass returns.
     *
     * @param recorded each recorded hook's last position [B, d], by hook name
     * @param logProbs the next-token log-probabilities [B, vocab], or null when not asked for
     */
    public record Output(Map<String, NDArray> recorded, NDArray logProbs) {}

    /**
     * Runs B prompts of one length through the model, as nanoGPT's forward: embed, the blocks,
     * ln_f and the unembedding. It stops after the last recorded hook unless log-probs are asked
     * for.
     *
     * @param prompts token ids [B][T], all of one length T
     * @param patch optional: the last position at one hook replaced by a vector per prompt
     * @param record hooks whose last-position values are returned
     * @param withLogits whether to compute next-token log-probs (most of the cost for short prompts)
     * @param m the manager that receives the outputs
     */
    public Output forward(int[][] prompts, Patch patch, List<HookPoint> record, boolean withLogits, NDManager m) {
        checkBatch(prompts);
        if (patch != null && patch.vectors().getShape().get(0) != prompts.length) {
            throw new IllegalArgumentException("one patch vector per prompt expected");
        }
        int last = withLogits ? cfg.nLayer() : record.stream().mapToInt(HookPoint::index).max().orElse(0);
        Map<String, NDArray> recorded = new LinkedHashMap<>();
        try (NDManager scratch = m.newSubManager()) {
            NDArray mask = causalMask(prompts[0].length, scratch);
            NDArray resid = embed(prompts, scratch); // blocks.0.hook_resid_pre
            for (int point = 0; ; point++) {
                if (patch != null && patch.at().index() == point) {
                    resid = replaceLast(resid, patch.vectors());
                }
                for (HookPoint h : record) {
                    if (h.index() == point) {
                        recorded.put(h.name(), keep(lastPosition(resid), m));
                    }
                }
                if (point == last) {
                    break;
                }
                TransformerBlock block = blocks.get(point);
                resid = scoped(resid, x -> block.forward(x, mask, null));
            }
            NDArray logProbs = withLogits ? keep(scoped(lastPosition(resid), x -> logits(x).logSoftmax(1)), m) : null;
            return new Output(recorded, logProbs);
        }
    }

    /** The last position at every point (index = point) and the next-token log-probs of one prompt. */
    public record Trace(float[][] resid, float[] logProbs) {}

    public Trace trace(int[] tokens) {
        List<HookPoint> all = HookPoint.all(cfg.nLayer());
        try (NDManager m = manager.newSubManager()) {
            Output out = forward(new int[][] {tokens}, null, all, true, m);
            float[][] resid = new float[all.size()][];
            for (int i = 0; i < resid.length; i++) {
                resid[i] = out.recorded().get(all.get(i).name()).toFloatArray();
            }
            return new Trace(resid, out.logProbs().toFloatArray());
        }
    }

    /**
     * The last-position activation at {@code point} for many prompts (model-generated targets and
     * the statistics behind random targets). Only what that point depends on is computed: the
     * blocks before it, and of the last of those only the earlier positions' keys and values and
     * the last position's own path.
     */
    public float[][] activations(List<int[]> prompts, HookPoint point) {
        float[][] out = new float[prompts.size()][];
        int d = cfg.dModel();
        int start = 0;
        while (start < prompts.size()) {
            // a batch holds up to 256 prompts of one length
            int len = prompts.get(start).length;
            int end = start;
            while (end < prompts.size() && end - start < 256 && prompts.get(end).length == len) {
                end++;
            }
            int[][] batch = prompts.subList(start, end).toArray(new int[0][]);
            checkBatch(batch);
            try (NDManager m = manager.newSubManager()) {
                NDArray mask = causalMask(len, m);
                NDArray resid = embed(batch, m);
                NDArray last;
                if (point.index() == 0) {
                    last = lastPosition(resid);
                } else {
                    for (int b = 0; b < point.index() - 1; b++) {
                        TransformerBlock block = blocks.get(b);
                        resid = scoped(resid, x -> block.forward(x, mask, null));
                    }
                    last = blocks.get(point.index() - 1).forwardToLast(resid, mask);
                }
                float[] flat = last.toFloatArray();
                for (int k = 0; k < batch.length; k++) {
                    out[start + k] = Arrays.copyOfRange(flat, k * d, (k + 1) * d);
                }
            }
            start = end;
        }
        return out;
    }

    public float[] activation(int[] tokens, HookPoint point) {
        return activations(List.of(tokens), point)[0];
    }

    /**
     * Greedy decoding: the prompt followed by {@code newTokens} tokens, each the most probable next
     * token (ties: the lower id), as Hugging Face's {@code generate(do_sample=False)} picks them.
     */
    public int[] greedy(int[] prompt, int newTokens) {
        checkTokens(prompt);
        if (prompt.length + newTokens > cfg.nCtx()) {
            throw new PlateauException("Greedy decoding of " + newTokens + " tokens after a " + prompt.length
                    + "-token prompt needs a context of " + (prompt.length + newTokens) + "; the model's holds "
                    + cfg.nCtx() + ".");
        }
        int[] seq = Arrays.copyOf(prompt, prompt.length + newTokens);
        for (int k = prompt.length; k < seq.length; k++) {
            try (NDManager m = manager.newSubManager()) {
                float[] lp = forward(new int[][] {Arrays.copyOf(seq, k)}, null, List.of(), true, m).logProbs()
                        .toFloatArray();
                int best = 0;
                for (int v = 1; v < lp.length; v++) {
                    if (lp[v] > lp[best]) {
                        best = v;
                    }
                }
                seq[k] = best;
            }
        }
        return seq;
    }

    /**
     * The pipeline the paper's authors ran, kept to measure Plateau against: whole prompts through
     * every block with every intermediate value kept (TransformerLens' {@code run_with_cache}) and
     * the log-probs at every position. Returns the read hook's last position [B, d] and the last
     * position's log-probs [B, vocab], in {@code m}.
     */
    public Output runWithCache(int[][] prompts, Patch patch, HookPoint read, NDManager m) {
        checkBatch(prompts);
        List<NDArray> cache = new java.util.ArrayList<>();
        try (NDManager scratch = m.newSubManager()) {
            NDArray mask = causalMask(prompts[0].length, scratch);
            NDArray resid = embed(prompts, scratch);
            NDArray atRead = null;
            for (int point = 0; point <= cfg.nLayer(); point++) {
                if (patch != null && patch.at().index() == point) {
                    resid = replaceLast(resid, patch.vectors());
                }
                cache.add(resid);
                if (point == read.index()) {
                    atRead = resid;
                }
                if (point < cfg.nLayer()) {
                    resid = blocks.get(point).forward(resid, mask, null, (name, value) -> cache.add(value));
                }
            }
            NDArray logProbs = Linear.linear(lnF(resid), w.wte()).get(0).logSoftmax(2); // every position
            cache.add(logProbs);
            Map<String, NDArray> recorded = new LinkedHashMap<>();
            recorded.put(read.name(), keep(lastPosition(atRead), m));
            return new Output(recorded, keep(lastPosition(logProbs), m));
        }
    }

    // ------------------------------------------------------------------ sweeps

    /** A prompt prepared for perturbation sweeps at {@code at}; close it when done. */
    public Gpt2Prefix prefill(int[] tokens, HookPoint at) {
        checkTokens(tokens);
        return new Gpt2Prefix(this, tokens, at);
    }

    // ------------------------------------------------------------------ embedding and unembedding

    /** Token plus position embedding [B, T, d]: blocks.0.hook_resid_pre. */
    NDArray embed(int[][] prompts, NDManager m) {
        int batch = prompts.length;
        int len = prompts[0].length;
        long[] ids = new long[batch * len];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < len; t++) {
                ids[b * len + t] = prompts[b][t];
            }
        }
        NDArray tok = w.wte().get(m, new NDIndex("{}", m.create(ids)));
        if (w.centredTokenEmbedding()) {
            tok = tok.sub(tok.mean(new int[] {-1}, true));
        }
        NDArray pos = w.wpe().get(m, new NDIndex(":{}", len));
        return tok.reshape(batch, len, cfg.dModel()).add(pos);
    }

    /** ln_f(x) [B, d]: what the unembedding reads. */
    NDArray lnF(NDArray x) {
        return TransformerBlock.layerNorm(x, w.lnFWeight(), w.lnFBias(), (float) cfg.layerNormEps());
    }

    /** The next-token logits [B, vocab] of the residual stream's end x [B, d]: ln_f, then the tied, uncentred wte. */
    NDArray logits(NDArray x) {
        return Linear.linear(lnF(x), w.wte()).get(0);
    }

    /** The unembedding W_U as [vocab, d] (GPT-2 ties it to wte). */
    NDArray unembedding() {
        return w.wte();
    }

    /** 0 on and below the diagonal, -inf above: position t attends to positions up to t. */
    static NDArray causalMask(int len, NDManager m) {
        float[] mask = new float[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = i + 1; j < len; j++) {
                mask[i * len + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return m.create(mask, new Shape(len, len));
    }

    // ------------------------------------------------------------------ plumbing

    private void checkBatch(int[][] prompts) {
        for (int[] p : prompts) {
            checkTokens(p);
            if (p.length != prompts[0].length) {
                throw new IllegalArgumentException("prompts of different lengths in one batch");
            }
        }
    }

    /** [B, T, d] -> [B, d] */
    static NDArray lastPosition(NDArray x) {
        return x.get(new NDIndex(":, -1, :"));
    }

    private static NDArray replaceLast(NDArray x, NDArray vectors) {
        long len = x.getShape().get(1);
        NDArray last = vectors.expandDims(1);
        if (len == 1) {
            return last;
        }
        return NDArrays.concat(new NDList(x.get(new NDIndex(":, :{}, :", len - 1)), last), 1);
    }

    /** A contiguous copy owned by {@code m}, independent of the scratch it came from. */
    static NDArray keep(NDArray a, NDManager m) {
        NDArray copy = a.duplicate();
        copy.attach(m);
        return copy;
    }

    /**
     * Applies f with its intermediates freed on return: only f's result survives, in x's manager.
     * Keeps the native memory of a run at a few activations instead of every temporary.
     */
    static NDArray scoped(NDArray x, UnaryOperator<NDArray> f) {
        NDManager home = x.getManager();
        try (NDManager scratch = home.newSubManager()) {
            x.tempAttach(scratch);
            NDArray y = f.apply(x);
            y.attach(home);
            return y;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            lanes.close();
        }
        manager.close();
    }
}
