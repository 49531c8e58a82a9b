package org.plateau.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.List;
import org.plateau.PlateauException;

/**
 * A prompt prepared for perturbation sweeps (METHOD §2 perturbs only its last position). What the
 * sweeps need is kept: the base activation A at the perturbed hook, and for every block from
 * there on the keys and values of the earlier positions, which the last position cannot change.
 * {@link #run} pushes a batch of replacement vectors for the last position through the remaining
 * blocks alone.
 *
 * <p>Only the blocks before the hook run up front (they give A). The earlier positions go through
 * the later blocks together with the first batch, in the same matrix products: a prompt of ten
 * tokens alone would read every weight of those blocks for ten rows, a cost that is all memory
 * traffic. Their keys and values are kept for the batches after. Owns native memory: close it.
 */
public final class Gpt2Prefix implements AutoCloseable {

    private final Gpt2 model;
    private final NDManager store;
    private final int[] tokens;
    private final HookPoint at;
    /** Per block from {@code at} on: keys transposed [H, dh, P] and values [H, P, dh] of positions 0..P−1. */
    private final NDArray[] keysT;
    private final NDArray[] values;
    private final float[] activation;
    /** The earlier positions [P, d] at {@code at}, until the first batch has taken them through the later blocks. */
    private NDArray pending;
    /** A first batch failed half-way: the kept keys and values are incomplete. */
    private boolean broken;

    Gpt2Prefix(Gpt2 model, int[] tokens, HookPoint at) {
        this.model = model;
        this.tokens = tokens.clone();
        this.at = at;
        int nLayer = model.config().nLayer();
        this.keysT = new NDArray[nLayer];
        this.values = new NDArray[nLayer];
        this.store = model.manager().newSubManager();
        int prefixLen = tokens.length - 1;
        try (NDManager scratch = store.newSubManager()) {
            NDArray mask = Gpt2.causalMask(tokens.length, scratch);
            NDArray resid = model.embed(new int[][] {tokens}, scratch);
            for (int point = 0; point < at.index(); point++) {
                resid = model.blocks().get(point).forward(resid, mask, null);
            }
            this.activation = Gpt2.lastPosition(resid).toFloatArray();
            if (prefixLen == 0) {
                for (int point = at.index(); point < nLayer; point++) {
                    keysT[point] = store.zeros(new Shape(model.config().nHead(), model.config().dHead(), 0));
                    values[point] = store.zeros(new Shape(model.config().nHead(), 0, model.config().dHead()));
                }
            } else {
                pending = Gpt2.keep(resid.get(new NDIndex("0, :{}, :", prefixLen)), store);
            }
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    public int[] tokens() {
        return tokens.clone();
    }

    /** The hook whose last position the sweeps replace. */
    public HookPoint at() {
        return at;
    }

    /** The unperturbed last-position activation at {@link #at()}: the base activation A. */
    public float[] activation() {
        return activation.clone();
    }

    /**
     * What a batch of sweeps reads out.
     *
     * @param read the residual stream at the read hook [B, d], in the caller's manager
     * @param kl per row, KL(p_first ‖ p_row) of the next-token distributions, with p_first that of
     *     the first row of the row's sweep (its unperturbed point)
     */
    public record Readout(NDArray read, double[] kl) {}

    /** Vocabulary columns and rows per piece of the unembedding: pieces stay in cache, outputs small. */
    static final int VOCAB_PIECE = 2048;
    static final int ROW_PIECE = 512;

    /**
     * The last position with {@code vectors} [B, d] in place of its vector at {@link #at()}, for
     * several sweeps at once: rows {@code starts[s]} to {@code starts[s+1]} − 1 are sweep s, whose
     * first row is the point every KL of the sweep compares with.
     */
    public Readout run(NDArray vectors, HookPoint read, int[] starts) {
        if (read.index() < at.index()) {
            throw new PlateauException("The read hook " + read + " comes before the perturbed hook " + at + ".");
        }
        NDManager m = vectors.getManager();
        NDArray resid = vectors;
        NDArray readValues = read.index() == at.index() ? Gpt2.keep(resid, m) : null;
        List<TransformerBlock> blocks = model.blocks();
        if (broken) {
            throw new IllegalStateException("this prompt's preparation failed; prepare it again");
        }
        boolean first = pending != null;
        broken = first; // until the first batch has been through every block
        for (int point = at.index(); point < blocks.size(); point++) {
            TransformerBlock block = blocks.get(point);
            if (first) {
                resid = withPrefix(block, point, resid);
            } else {
                NDArray kT = keysT[point];
                NDArray v = values[point];
                resid = Gpt2.scoped(resid, x -> block.forwardLast(x, kT, v));
            }
            if (read.index() == point + 1) {
                readValues = resid;
            }
        }
        if (first) {
            pending.close();
            pending = null;
            broken = false;
        }
        try (NDManager scratch = m.newSubManager()) {
            resid.tempAttach(scratch);
            return new Readout(readValues, klPerRow(model.lnF(resid), starts));
        }
    }

    /** The common length of all sweeps, or 0 when they differ. */
    private static int equalLength(int[] starts, int rows) {
        int length = starts.length > 1 ? starts[1] - starts[0] : rows;
        for (int s = 0; s < starts.length; s++) {
            int end = s + 1 < starts.length ? starts[s + 1] : rows;
            if (end - starts[s] != length) {
                return 0;
            }
        }
        return length;
    }

    /**
     * KL(p_f ‖ p_r) for the rows r of each sweep, f its first row. With z_r = (h_r − h_f)·W_Uᵀ
     * the change of the logits (h the stream after ln_f):
     * KL = log Σ_v p_f(v)·exp(z_r,v) − Σ_v p_f(v)·z_r,v. Both terms are small where the rows are
     * close, so float32 keeps the digits that the difference of two log-partition functions
     * (each tens to hundreds) would lose; and the logits of differences cost one matrix product,
     * taken over vocabulary pieces that stay in cache instead of one [B, vocab] matrix.
     * Σ_v p_f(v)·z_r,v = (h_r − h_f)·u_f with u_f = Σ_v p_f(v)·w_v, one vector per sweep.
     */
    private double[] klPerRow(NDArray h, int[] starts) {
        int rows = (int) h.getShape().get(0);
        NDManager m = h.getManager();
        NDArray wU = model.unembedding();
        long vocab = wU.getShape().get(0);
        long[] sweepOf = new long[rows];
        for (int s = 0; s < starts.length; s++) {
            int end = s + 1 < starts.length ? starts[s + 1] : rows;
            for (int r = starts[s]; r < end; r++) {
                sweepOf[r] = s;
            }
        }
        NDArray hFirst = h.get(new NDIndex("{}", m.create(java.util.Arrays.stream(starts).asLongStream().toArray())));
        NDArray logPFirst = Linear.linear(hFirst, wU).get(0).logSoftmax(1);           // [S, vocab]
        NDArray u = logPFirst.exp().matMul(wU);                                          // [S, d]
        NDArray index = m.create(sweepOf);
        NDArray delta = h.sub(hFirst.get(new NDIndex("{}", index)));                     // h_r − h_f
        float[] mean = delta.mul(u.get(new NDIndex("{}", index))).sum(new int[] {1}).toFloatArray();
        double[] max = new double[rows];
        double[] sum = new double[rows];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        NDArray pFirst = logPFirst.exp();
        int length = equalLength(starts, rows);
        // sweeps of one length share pieces whole: their rows then meet their p_f in one batched product
        int piece = length > 0 ? length * Math.max(1, ROW_PIECE / length) : ROW_PIECE;
        for (int r0 = 0; r0 < rows; r0 += piece) {
            int r1 = Math.min(rows, r0 + piece);
            NDArray deltaPiece = delta.get(new NDIndex("{}:{}", r0, r1));
            NDArray indexPiece = index.get(new NDIndex("{}:{}", r0, r1));
            for (long c0 = 0; c0 < vocab; c0 += VOCAB_PIECE) {
                long c1 = Math.min(vocab, c0 + VOCAB_PIECE);
                try (NDManager scratch = m.newSubManager()) {
                    NDArray z = Linear.linear(deltaPiece, wU.get(new NDIndex("{}:{}", c0, c1))).get(0);
                    z.attach(scratch);
                    NDIndex columns = new NDIndex(":, {}:{}", c0, c1);
                    NDArray pieceMax;
                    NDArray weighted;
                    if (length > 0) {
                        // Σ_v p_f(v)·e^(z_v − max): [sweeps, L, C] × [sweeps, C, 1]
                        pieceMax = z.max(new int[] {1}, true);
                        int sweeps = (r1 - r0) / length;
                        NDArray e = z.subi(pieceMax).exp().reshape(sweeps, length, c1 - c0);
                        NDArray p = pFirst.get(columns).get(new NDIndex("{}:{}", r0 / length, r0 / length + sweeps))
                                .expandDims(2);
                        weighted = e.batchMatMul(p).reshape(r1 - r0);
                    } else {
                        NDArray a = z.addi(logPFirst.get(columns).get(new NDIndex("{}", indexPiece)));
                        pieceMax = a.max(new int[] {1}, true);
                        weighted = a.subi(pieceMax).exp().sum(new int[] {1});
                    }
                    float[] mx = pieceMax.toFloatArray();
                    float[] sm = weighted.toFloatArray();
                    for (int k = 0; k < mx.length; k++) {
                        // log Σ p·e^z over the pieces so far, combined in float64
                        int r = r0 + k;
                        if (mx[k] > max[r]) {
                            sum[r] = sum[r] * Math.exp(max[r] - mx[k]) + sm[k];
                            max[r] = mx[k];
                        } else {
                            sum[r] += sm[k] * Math.exp(mx[k] - max[r]);
                        }
                    }
                }
            }
        }
        double[] kl = new double[rows];
        for (int r = 0; r < rows; r++) {
            boolean first = starts[(int) sweepOf[r]] == r;
            kl[r] = first ? 0 : max[r] + Math.log(sum[r]) - mean[r];
        }
        return kl;
    }

    /** Block {@code point} for the batch and the earlier positions together; their keys and values are kept. */
    private NDArray withPrefix(TransformerBlock block, int point, NDArray batch) {
        NDManager home = batch.getManager();
        try (NDManager scratch = home.newSubManager()) {
            // both inputs in the scratch: every intermediate lands there and goes with it
            batch.tempAttach(scratch);
            pending.tempAttach(scratch);
            long p = pending.getShape().get(0);
            NDArray[] out = block.forwardPrefixAndLast(pending, batch, Gpt2.causalMask((int) p, scratch));
            keysT[point] = Gpt2.keep(out[2], store);
            values[point] = Gpt2.keep(out[3], store);
            NDArray next = Gpt2.keep(out[0], store);
            pending.close();
            pending = next;
            NDArray result = Gpt2.keep(out[1], home);
            return result;
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
