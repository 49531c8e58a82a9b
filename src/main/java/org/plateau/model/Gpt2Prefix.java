package org.plateau.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
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
            return new Readout(readValues, SweepKl.perRow(model.lnF(resid), model.unembedding(), starts));
        }
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
