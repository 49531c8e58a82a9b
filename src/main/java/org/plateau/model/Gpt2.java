package org.plateau.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.plateau.PlateauException;

/**
 * GPT-2 with Hugging Face semantics (METHOD §1), on DJL's PyTorch engine.
 *
 * <p>Two ways to run it. {@link #forward} runs whole prompts and can patch the last position of
 * one residual-stream point, recording any point on the way, as TransformerLens hooks would.
 * {@link #prefill} and {@link #decodeLast} split that run in two for perturbation sweeps: the
 * prompt's prefix is run once and its keys and values kept, then a batch of replacement vectors
 * for the last position is pushed through the remaining blocks alone. Both give the same numbers
 * (a test holds them to float32 rounding).
 */
public final class Gpt2 implements AutoCloseable {

    private final Gpt2Config cfg;
    private final Gpt2Weights w;
    private final Processing processing;
    private final NDManager manager;
    private final float attnScale;

    private Gpt2(Gpt2Weights weights, Processing processing, NDManager manager) {
        this.cfg = weights.config();
        this.w = weights;
        this.processing = processing;
        this.manager = manager;
        this.attnScale = (float) (1.0 / Math.sqrt(cfg.dHead()));
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

    /** The manager that owns the weights; sweeps make sub-managers of it. */
    public NDManager manager() {
        return manager;
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

    /** What a forward pass returns: the recorded points' last positions and the next-token log-probs. */
    public record Output(List<NDArray> recorded, NDArray logProbs) {}

    /**
     * Runs B copies of one prompt, or B prompts, through the whole model.
     *
     * @param prompts token ids [B][T], all of one length T
     * @param patch optional: the last position at one point replaced by a vector per prompt
     * @param record points whose last-position values are returned, [B, d] each
     * @param withLogits whether to compute next-token log-probs [B, vocab] (skipped when only
     *     activations are needed, which is most of the cost for short prompts)
     * @param m the manager that receives the outputs
     */
    public Output forward(int[][] prompts, Patch patch, List<HookPoint> record, boolean withLogits, NDManager m) {
        int batch = prompts.length;
        int len = prompts[0].length;
        for (int[] p : prompts) {
            checkTokens(p);
            if (p.length != len) {
                throw new IllegalArgumentException("prompts of different lengths in one batch");
            }
        }
        if (patch != null && patch.vectors().getShape().get(0) != batch) {
            throw new IllegalArgumentException("one patch vector per prompt expected");
        }
        int lastPoint = withLogits ? cfg.nLayer()
                : record.stream().mapToInt(HookPoint::index).max().orElse(0);
        NDArray[] recorded = new NDArray[record.size()];
        try (NDManager scratch = m.newSubManager()) {
            NDArray x = embed(prompts, scratch);
            NDArray mask = causalMask(len, scratch);
            for (int point = 0; point <= lastPoint; point++) {
                if (patch != null && patch.at().index() == point) {
                    x = replaceLast(x, patch.vectors());
                }
                for (int r = 0; r < record.size(); r++) {
                    if (record.get(r).index() == point) {
                        recorded[r] = keep(lastPosition(x), m);
                    }
                }
                if (point < cfg.nLayer()) {
                    BlockWeights b = w.blocks().get(point);
                    NDArray xIn = x;
                    x = scoped(xIn, h -> mlp(b, attention(b, h, mask, null)));
                }
            }
            NDArray logProbs = withLogits ? keep(scoped(lastPosition(x), this::logProbs), m) : null;
            return new Output(Arrays.asList(recorded), logProbs);
        }
    }

    /** The last position at every point (index = point) and the next-token log-probs of one prompt. */
    public record Trace(float[][] resid, float[] logProbs) {}

    public Trace trace(int[] tokens) {
        List<HookPoint> all = new ArrayList<>();
        for (int i = 0; i <= cfg.nLayer(); i++) {
            all.add(i < cfg.nLayer() ? HookPoint.residPre(i) : HookPoint.residPost(i - 1));
        }
        try (NDManager m = manager.newSubManager()) {
            Output out = forward(new int[][] {tokens}, null, all, true, m);
            float[][] resid = new float[all.size()][];
            for (int i = 0; i < resid.length; i++) {
                resid[i] = out.recorded().get(i).toFloatArray();
            }
            return new Trace(resid, out.logProbs().toFloatArray());
        }
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
     * The last-position activation at {@code point} for many prompts (model-generated targets and
     * the statistics behind random ones), computed in batches and stopping at that point.
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
            try (NDManager m = manager.newSubManager()) {
                int[][] batch = prompts.subList(start, end).toArray(new int[0][]);
                float[] flat = forward(batch, null, List.of(point), false, m).recorded().get(0).toFloatArray();
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

    // ------------------------------------------------------------------ cached sweeps

    /**
     * A prompt run once up to the end, keeping what later runs of its last position need: the
     * keys and values of the earlier positions in every block from {@code at} on, and the last
     * position's own activation there (the base activation A). Owns native memory: close it.
     */
    public final class Prefix implements AutoCloseable {
        private final NDManager store;
        private final int[] tokens;
        private final HookPoint at;
        /** Per block: keys transposed [H, dh, P] and values [H, P, dh] of positions 0..P-1; null before {@code at}. */
        private final NDArray[] keysT;
        private final NDArray[] values;
        private final float[] activation;

        private Prefix(NDManager store, int[] tokens, HookPoint at, NDArray[] keysT, NDArray[] values, float[] activation) {
            this.store = store;
            this.tokens = tokens;
            this.at = at;
            this.keysT = keysT;
            this.values = values;
            this.activation = activation;
        }

        public int[] tokens() {
            return tokens.clone();
        }

        public HookPoint at() {
            return at;
        }

        /** The unperturbed last-position activation at {@link #at()}. */
        public float[] activation() {
            return activation.clone();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    public Prefix prefill(int[] tokens, HookPoint at) {
        checkTokens(tokens);
        int prefixLen = tokens.length - 1;
        NDManager store = manager.newSubManager();
        try {
            NDArray[] keysT = new NDArray[cfg.nLayer()];
            NDArray[] values = new NDArray[cfg.nLayer()];
            float[] activation;
            try (NDManager scratch = store.newSubManager()) {
                NDArray x = embed(new int[][] {tokens}, scratch);
                NDArray mask = causalMask(tokens.length, scratch);
                float[] found = null;
                for (int point = 0; point < cfg.nLayer(); point++) {
                    if (point == at.index()) {
                        found = lastPosition(x).toFloatArray();
                    }
                    BlockWeights b = w.blocks().get(point);
                    if (point >= at.index()) {
                        NDArray[] kv = new NDArray[2];
                        x = mlp(b, attention(b, x, mask, kv));
                        // [1, H, T, dh] -> earlier positions only, [H, P, dh]
                        NDArray k = kv[0].get(new NDIndex("0, :, :{}, :", prefixLen));
                        NDArray v = kv[1].get(new NDIndex("0, :, :{}, :", prefixLen));
                        keysT[point] = keep(k.transpose(0, 2, 1), store);
                        values[point] = keep(v, store);
                    } else {
                        x = mlp(b, attention(b, x, mask, null));
                    }
                }
                activation = found != null ? found : lastPosition(x).toFloatArray();
            }
            return new Prefix(store, tokens.clone(), at, keysT, values, activation);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** What {@link #decodeLast} returns, in the caller's manager: [B, d] at the read point and [B, vocab]. */
    public record ReadOut(NDArray read, NDArray logProbs) {}

    /**
     * Runs B replacement vectors for the prompt's last position from the prefix's point to the
     * end, attending to the cached earlier positions.
     *
     * @param vectors [B, d], in the manager that receives the results
     */
    public ReadOut decodeLast(Prefix prefix, NDArray vectors, HookPoint read) {
        if (read.index() < prefix.at.index()) {
            throw new PlateauException("The read hook " + read + " comes before the perturbed hook " + prefix.at + ".");
        }
        NDManager m = vectors.getManager();
        NDArray x = vectors;
        NDArray readValues = read.index() == prefix.at.index() ? keep(x.duplicate(), m) : null;
        for (int point = prefix.at.index(); point < cfg.nLayer(); point++) {
            BlockWeights b = w.blocks().get(point);
            NDArray kT = prefix.keysT[point];
            NDArray v = prefix.values[point];
            x = scoped(x, h -> mlp(b, attentionLast(b, h, kT, v)));
            if (read.index() == point + 1) {
                readValues = x;
            }
        }
        NDArray logProbs = scoped(x, this::logProbs);
        return new ReadOut(readValues, logProbs);
    }

    // ------------------------------------------------------------------ the blocks

    private NDArray embed(int[][] prompts, NDManager m) {
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

    /** 0 on and below the diagonal, -inf above: position t attends to positions up to t. */
    private static NDArray causalMask(int len, NDManager m) {
        float[] mask = new float[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = i + 1; j < len; j++) {
                mask[i * len + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return m.create(mask, new Shape(len, len));
    }

    private NDArray layerNorm(NDArray x, NDArray gain, NDArray bias) {
        return LayerNorm.layerNorm(x, new Shape(cfg.dModel()), gain, bias, (float) cfg.layerNormEps()).get(0);
    }

    /**
     * x + attn(ln_1(x)) for whole prompts [B, T, d]. If {@code kvOut} is given, it receives the
     * keys and values [B, H, T, dh].
     */
    private NDArray attention(BlockWeights b, NDArray x, NDArray mask, NDArray[] kvOut) {
        Shape s = x.getShape();
        long batch = s.get(0);
        long len = s.get(1);
        NDList qkv = linear(layerNorm(x, b.ln1Gain(), b.ln1Bias()), b.qkv(), b.qkvBias()).split(3, 2);
        NDArray q = splitHeads(qkv.get(0), batch, len);
        NDArray k = splitHeads(qkv.get(1), batch, len);
        NDArray v = splitHeads(qkv.get(2), batch, len);
        if (kvOut != null) {
            kvOut[0] = k;
            kvOut[1] = v;
        }
        NDArray pattern = q.matMul(k.transpose(0, 1, 3, 2)).mul(attnScale).add(mask).softmax(3);
        NDArray z = pattern.matMul(v).transpose(0, 2, 1, 3).reshape(batch, len, cfg.dModel());
        return x.add(linear(z, b.attnOut(), b.attnOutBias()));
    }

    /** [B, T, d] -> [B, H, T, dh] */
    private NDArray splitHeads(NDArray a, long batch, long len) {
        return a.reshape(batch, len, cfg.nHead(), cfg.dHead()).transpose(0, 2, 1, 3);
    }

    /**
     * x + attn(ln_1(x)) for the last position only, x [B, d]: its query meets the cached keys of
     * the earlier positions and its own key. Heads lead so the prefix is shared by the batch
     * without being copied: scores [H, B, P + 1].
     */
    private NDArray attentionLast(BlockWeights b, NDArray x, NDArray prefixKeysT, NDArray prefixValues) {
        long batch = x.getShape().get(0);
        NDList qkv = linear(layerNorm(x, b.ln1Gain(), b.ln1Bias()), b.qkv(), b.qkvBias()).split(3, 1);
        NDArray q = qkv.get(0).reshape(batch, cfg.nHead(), cfg.dHead()).transpose(1, 0, 2);
        NDArray k = qkv.get(1).reshape(batch, cfg.nHead(), cfg.dHead()).transpose(1, 0, 2);
        NDArray v = qkv.get(2).reshape(batch, cfg.nHead(), cfg.dHead()).transpose(1, 0, 2);
        NDArray selfScore = q.mul(k).sum(new int[] {2}, true);
        long prefixLen = prefixValues.getShape().get(1);
        NDArray z;
        if (prefixLen == 0) {
            z = v; // a one-token prompt attends only to itself
        } else {
            NDArray scores = q.matMul(prefixKeysT).concat(selfScore, 2).mul(attnScale).softmax(2);
            NDArray toPrefix = scores.get(new NDIndex(":, :, :{}", prefixLen));
            NDArray toSelf = scores.get(new NDIndex(":, :, {}:", prefixLen));
            z = toPrefix.matMul(prefixValues).add(toSelf.mul(v));
        }
        NDArray merged = z.transpose(1, 0, 2).reshape(batch, cfg.dModel());
        return x.add(linear(merged, b.attnOut(), b.attnOutBias()));
    }

    /** x + mlp(ln_2(x)) with gelu_new, for any leading shape. */
    private NDArray mlp(BlockWeights b, NDArray x) {
        NDArray hidden = geluNew(linear(layerNorm(x, b.ln2Gain(), b.ln2Bias()), b.mlpIn(), b.mlpInBias()));
        return x.add(linear(hidden, b.mlpOut(), b.mlpOutBias()));
    }

    private static final float GELU_C = (float) (2 * Math.sqrt(2.0 / Math.PI));

    /**
     * GPT-2's tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), written as
     * x·σ(2√(2/π)·x·(1 + 0.044715·x²)) since 0.5·(1 + tanh(u)) = σ(2u): six passes instead of nine.
     */
    private static NDArray geluNew(NDArray x) {
        NDArray u = x.mul(x).muli(GELU_C * 0.044715f).addi(GELU_C).muli(x);
        return Activation.sigmoid(u).muli(x);
    }

    /** x·wᵀ + b in one fused call; w is [out, in]. */
    private static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return Linear.linear(x, w, b).get(0);
    }

    /** ln_f, the tied unembedding, log-softmax: [B, d] -> [B, vocab]. */
    private NDArray logProbs(NDArray x) {
        return Linear.linear(layerNorm(x, w.lnFinalGain(), w.lnFinalBias()), w.wte()).get(0).logSoftmax(1);
    }

    // ------------------------------------------------------------------ plumbing

    /** [B, T, d] -> [B, d] */
    private static NDArray lastPosition(NDArray x) {
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
    private static NDArray keep(NDArray a, NDManager m) {
        NDArray copy = a.duplicate();
        copy.attach(m);
        return copy;
    }

    /**
     * Applies f with its intermediates freed on return: only f's result survives, in x's manager.
     * Keeps the native memory of a sweep at a few activations instead of every temporary.
     */
    private static NDArray scoped(NDArray x, UnaryOperator<NDArray> f) {
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
        manager.close();
    }
}
