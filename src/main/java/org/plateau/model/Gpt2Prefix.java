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
 * traffic. Their keys and values are kept for the batches after, once that batch is through (a
 * batch that fails half-way keeps nothing, and the next carries them again). A batch run at the
 * same time on another lane ({@link #runCarrying}) carries its own copy of them and keeps nothing,
 * so that it need not wait. Owns native memory: close it.
 */
public final class Gpt2Prefix implements AutoCloseable {

    private final Gpt2 model;
    private final NDManager store;
    private final int[] tokens;
    private final HookPoint at;
    /** Per block from {@code at} on: keys transposed [H, dh, P] and values [H, P, dh] of positions 0..P−1, once kept. */
    private final NDArray[] keysT;
    private final NDArray[] values;
    private final float[] activation;
    /** The earlier positions [P, d] at {@code at}, until a batch has taken them through the later blocks. */
    private NDArray pending; // guarded by this

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
        return run(vectors, read, starts, carry(), true);
    }

    /**
     * A copy of the earlier positions for a batch that runs beside the first one (see
     * {@link #runCarrying}), or null when their keys and values are kept already.
     */
    public synchronized Carried carry() {
        return pending == null ? null : new Carried(pending, store.newSubManager());
    }

    /**
     * As {@link #run}, with {@code copy} from {@link #carry()}: the batch takes its own copy of
     * the earlier positions through the blocks and keeps nothing, so that it can run on another
     * thread beside the first batch instead of waiting for that batch's keys and values. The
     * copy is used up. With a null copy, as {@link #run} once the keys and values are kept.
     */
    public Readout runCarrying(NDArray vectors, HookPoint read, int[] starts, Carried copy) {
        return run(vectors, read, starts, copy, false);
    }

    private Readout run(NDArray vectors, HookPoint read, int[] starts, Carried carried, boolean keep) {
        try (carried) {
            if (read.index() < at.index()) {
                throw new PlateauException("The read hook " + read + " comes before the perturbed hook " + at + ".");
            }
            NDManager m = vectors.getManager();
            NDArray resid = vectors;
            NDArray readValues = read.index() == at.index() ? Gpt2.keep(resid, m) : null;
            List<TransformerBlock> blocks = model.blocks();
            for (int point = at.index(); point < blocks.size(); point++) {
                TransformerBlock block = blocks.get(point);
                if (carried != null) {
                    resid = carried.through(block, point, resid);
                } else {
                    NDArray kT = keysT[point];
                    NDArray v = values[point];
                    resid = Gpt2.scoped(resid, x -> block.forwardLast(x, kT, v));
                }
                if (read.index() == point + 1) {
                    readValues = resid;
                }
            }
            if (carried != null && keep) {
                keepFrom(carried);
            }
            try (NDManager scratch = m.newSubManager()) {
                resid.tempAttach(scratch);
                return new Readout(readValues, SweepKl.perRow(model.lnF(resid), model.unembedding(), starts));
            }
        }
    }

    private synchronized void keepFrom(Carried carried) {
        if (pending == null) {
            return; // kept already
        }
        for (int point = at.index(); point < keysT.length; point++) {
            keysT[point] = carried.keysT[point];
            values[point] = carried.values[point];
            keysT[point].attach(store);
            values[point].attach(store);
        }
        pending.close();
        pending = null;
    }

    /**
     * The earlier positions on their way through the blocks beside a batch, in a copy of their
     * own, with the keys and values that each block gives them.
     */
    public final class Carried implements AutoCloseable {
        private final NDManager home;
        private NDArray positions;
        private final NDArray[] keysT = new NDArray[model.config().nLayer()];
        private final NDArray[] values = new NDArray[model.config().nLayer()];

        private Carried(NDArray earlier, NDManager home) {
            this.home = home;
            this.positions = Gpt2.keep(earlier, home);
        }

        /** Block {@code point} for the batch and the earlier positions together. */
        NDArray through(TransformerBlock block, int point, NDArray batch) {
            NDManager batchHome = batch.getManager();
            try (NDManager scratch = batchHome.newSubManager()) {
                // both inputs in the scratch: every intermediate lands there and goes with it
                batch.tempAttach(scratch);
                positions.tempAttach(scratch);
                long p = positions.getShape().get(0);
                NDArray[] out = block.forwardPrefixAndLast(positions, batch, Gpt2.causalMask((int) p, scratch));
                keysT[point] = Gpt2.keep(out[2], home);
                values[point] = Gpt2.keep(out[3], home);
                NDArray next = Gpt2.keep(out[0], home);
                positions.close();
                positions = next;
                return Gpt2.keep(out[1], batchHome);
            }
        }

        /** Frees what was not kept. */
        @Override
        public void close() {
            home.close();
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
