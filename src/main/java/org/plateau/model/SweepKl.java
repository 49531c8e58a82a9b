package org.plateau.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.Arrays;

/**
 * KL(p_f ‖ p_r) of the next-token distributions for the rows r of sweeps, f the first row of r's
 * sweep (its unperturbed point), from the streams h after ln_f and the unembedding W_U.
 *
 * <p>With l_f = h_f·W_Uᵀ the first row's logits and z_r = (h_r − h_f)·W_Uᵀ the change of the
 * logits, and Z_f = Σ_v e^(l_f,v):
 * <pre>
 * KL = log Σ_v e^(l_f,v)·e^(z_r,v) − log Z_f − Σ_v e^(l_f,v)·z_r,v / Z_f
 * </pre>
 * Taking z from differences keeps the digits that the difference of two log-partition
 * functions (each tens to hundreds) would lose in float32.
 *
 * <p>All three sums run over vocabulary pieces in one pass, for groups of whole sweeps. Per
 * piece, one matrix product gives z for every row of the group and l_f for each of its sweeps
 * (the first rows ride along in the product), and the weights q = e^(l_f − max) meet z and
 * e^(z − shift) in two thin products. The pieces' sums are combined in float64 in the log domain,
 * so they need no common scale; nothing of size [rows, vocab] is made, and no pass over the whole
 * vocabulary runs before the pieces. (Before, p_f over the whole vocabulary and Σ_v p_f·w_v were
 * two products of a few rows with all of W_U, which run at a tenth of the machine's rate.)
 *
 * <p>Row r's shift is the maximum of its z over the first piece, a maximum that the other pieces
 * seldom pass by much: one pass for it, not one per piece. A piece whose sum overflows, or that
 * may have lost to underflow a share of the total that matters, is summed again at its own
 * maximum, which becomes the row's shift. Row f's own sum (z = 0, shift 0) gives its sweep's
 * normaliser through the same products as every other row's, so KL is exactly 0 at f and
 * rounding does not bias it near f.
 */
final class SweepKl {

    /** Rows per group of whole sweeps, and vocabulary columns per piece: z of a piece stays in cache. */
    static final int ROW_PIECE = 512;
    static final int VOCAB_PIECE = 2048;
    /**
     * log of the most a piece's sum can lose to float32 underflow: at most {@link #VOCAB_PIECE}
     * terms, each less than 1.2e-38 at the piece's scale.
     */
    private static final double LOG_LOST = Math.log(VOCAB_PIECE * 1.2e-38);
    /** A piece is summed again, shifted by its own maximum, when it may have lost more than this share of the total. */
    private static final double LOG_TOLERATED = Math.log(1e-9);

    private SweepKl() {}

    /**
     * @param h the streams after ln_f [rows, d]
     * @param wU the unembedding [vocab, d]
     * @param starts the first row of each sweep, ascending from 0
     */
    static double[] perRow(NDArray h, NDArray wU, int[] starts) {
        int rows = (int) h.getShape().get(0);
        double[] kl = new double[rows];
        try (NDManager batch = h.getManager().newSubManager()) {
            h.tempAttach(batch);
            // groups of whole sweeps, about ROW_PIECE rows each (a longer sweep is a group alone)
            for (int s0 = 0; s0 < starts.length; ) {
                int s1 = s0 + 1;
                while (s1 < starts.length && end(starts, s1, rows) - starts[s0] <= ROW_PIECE) {
                    s1++;
                }
                Group g = new Group(Arrays.copyOfRange(starts, s0, s1), starts[s0], end(starts, s1 - 1, rows));
                g.run(h, wU, kl);
                s0 = s1;
            }
        }
        return kl;
    }

    private static int end(int[] starts, int s, int rows) {
        return s + 1 < starts.length ? starts[s + 1] : rows;
    }

    /** Rows r0 to r1 − 1, whole sweeps starting at {@code starts} (absolute rows); its sums run over the vocabulary. */
    private static final class Group {
        private final int[] starts;
        private final int r0;
        private final int rows;
        private final int sweeps;
        private final int[] sweepOf;
        private final double[] logZ;     // log Σ_v e^(l_f,v)
        private final double[] logSum;   // log Σ_v e^(l_f,v)·e^(z_r,v)
        private final double[] meanRef;  // the scale of meanSum, e^(meanRef)
        private final double[] meanSum;  // Σ_v e^(l_f,v − meanRef)·z_r,v
        private float[] shift;

        Group(int[] starts, int r0, int r1) {
            this.starts = starts;
            this.r0 = r0;
            this.rows = r1 - r0;
            this.sweeps = starts.length;
            this.sweepOf = new int[rows];
            for (int s = 0; s < sweeps; s++) {
                int end = s + 1 < sweeps ? starts[s + 1] : r1;
                Arrays.fill(sweepOf, starts[s] - r0, end - r0, s);
            }
            logZ = filled(sweeps, Double.NEGATIVE_INFINITY);
            logSum = filled(rows, Double.NEGATIVE_INFINITY);
            meanRef = filled(sweeps, Double.NEGATIVE_INFINITY);
            meanSum = new double[rows];
        }

        void run(NDArray h, NDArray wU, double[] kl) {
            NDManager m = h.getManager();
            try (NDManager group = m.newSubManager()) {
                NDArray own = h.get(new NDIndex("{}:{}", r0, r0 + rows));
                own.attach(group);
                long[] firstRows = Arrays.stream(starts).mapToLong(r -> r - r0).toArray();
                NDArray firsts = own.get(new NDIndex("{}", group.create(firstRows)));
                NDArray firstOfRow = firsts.get(new NDIndex("{}", group.create(Arrays.stream(sweepOf).asLongStream().toArray())));
                NDArray x = own.sub(firstOfRow).concat(firsts, 0);   // [rows + S, d]: h_r − h_f, then h_f
                long vocab = wU.getShape().get(0);
                for (long c0 = 0; c0 < vocab; c0 += VOCAB_PIECE) {
                    try (NDManager scratch = group.newSubManager()) {
                        NDArray columns = wU.get(new NDIndex("{}:{}", c0, Math.min(vocab, c0 + VOCAB_PIECE)));
                        columns.attach(scratch); // a view: the scratch closes the handle, not the weights
                        NDArray logits = Linear.linear(x, columns).get(0);
                        logits.attach(scratch); // it and all made from it go with the piece
                        piece(logits, c0 == 0);
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                int s = sweepOf[r];
                kl[r0 + r] = r == starts[s] - r0 ? 0 // exactly: the same distribution on both sides
                        : logSum[r] - logZ[s] - meanSum[r] * Math.exp(meanRef[s] - logZ[s]);
            }
        }

        /** One vocabulary piece: logits [rows + S, C], z on top, the first rows' l_f below. */
        private void piece(NDArray logits, boolean first) {
            NDArray z = logits.get(new NDIndex(":{}", rows));
            NDArray lFirst = logits.get(new NDIndex("{}:", rows));
            NDArray maxFirst = lFirst.max(new int[] {1}, true);
            NDArray q = lFirst.sub(maxFirst).exp();                                // [S, C]
            float[] mf = maxFirst.toFloatArray();
            float[] qz = Linear.linear(z, q).get(0).toFloatArray();                  // Σ_v q·z, [rows, S]
            if (first) {
                NDArray firstMax = z.max(new int[] {1}, true);
                shift = firstMax.toFloatArray();
                z.subi(firstMax);
            } else {
                z.subi(logits.getManager().create(shift, new Shape(rows, 1)));
            }
            float[] qe = Linear.linear(z.exp(), q).get(0).toFloatArray();            // Σ_v q·e^(z − shift)
            double[] used = new double[rows]; // the shift each row's sum was taken at
            for (int r = 0; r < rows; r++) {
                used[r] = shift[r];
            }
            int[] redo = first ? new int[0] : inexact(qe, mf, used);
            if (redo.length > 0) {
                NDArray pieceMax = z.max(new int[] {1}, true);                      // z − shift is in z now
                float[] pm = pieceMax.toFloatArray();
                float[] again = Linear.linear(z.subi(pieceMax).exp(), q).get(0).toFloatArray();
                for (int r : redo) {
                    used[r] += pm[r];
                    shift[r] = (float) used[r];
                    qe[r * sweeps + sweepOf[r]] = again[r * sweeps + sweepOf[r]];
                }
            }
            double[] oldScale = new double[sweeps];
            double[] newScale = new double[sweeps];
            for (int s = 0; s < sweeps; s++) {
                double ref = Math.max(meanRef[s], mf[s]);
                oldScale[s] = Math.exp(meanRef[s] - ref);
                newScale[s] = Math.exp(mf[s] - ref);
                meanRef[s] = ref;
            }
            for (int r = 0; r < rows; r++) {
                int s = sweepOf[r];
                double sum = qe[r * sweeps + s];
                logSum[r] = logAddExp(logSum[r], mf[s] + used[r] + Math.log(sum));
                if (r == starts[s] - r0) {
                    logZ[s] = logAddExp(logZ[s], mf[s] + Math.log(sum)); // row f: z = 0, shift 0
                }
                meanSum[r] = meanSum[r] * oldScale[s] + qz[r * sweeps + s] * newScale[s];
            }
        }

        /**
         * Rows whose sum of this piece overflowed, or may have lost to underflow a share of the
         * total so far (a lower bound of the final one) that matters.
         */
        private int[] inexact(float[] qe, float[] mf, double[] used) {
            return java.util.stream.IntStream.range(0, rows).filter(r -> {
                int s = sweepOf[r];
                float v = qe[r * sweeps + s];
                if (!(v < Float.POSITIVE_INFINITY)) {
                    return true;
                }
                double scale = mf[s] + used[r];
                double total = logAddExp(logSum[r], scale + Math.log(v));
                return scale + LOG_LOST - total > LOG_TOLERATED;
            }).toArray();
        }
    }

    private static double logAddExp(double a, double b) {
        double hi = Math.max(a, b);
        return hi == Double.NEGATIVE_INFINITY ? hi : hi + Math.log(Math.exp(a - hi) + Math.exp(b - hi));
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }
}
