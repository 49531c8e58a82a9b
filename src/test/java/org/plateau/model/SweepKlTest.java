package org.plateau.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.plateau.reference.ReferenceGpt2;

/**
 * The sweeps' KL over a vocabulary of several pieces, against plain float64 log-softmax: the
 * fixtures' vocabularies fit in one piece, so the pieces' combination, the groups of sweeps and
 * the pieces summed again at their own shift are checked here.
 */
class SweepKlTest {

    private static final int D = 16;
    /** Three pieces, the last a short one. */
    private static final int VOCAB = 2 * SweepKl.VOCAB_PIECE + 904;

    @Test
    void manyPiecesAndUnequalSweepsMatchFloat64() {
        SplittableRandom rng = new SplittableRandom(1);
        float[] w = gaussian(rng, VOCAB * D, 0.3);
        // sweeps of unequal lengths, more rows than one group holds
        int[] lengths = {101, 7, 300, 101, 150, 1};
        float[] h = sweeps(rng, lengths, 4.0);
        check(h, w, starts(lengths), 1e-6, 1e-5);
    }

    /**
     * Logits that move by hundreds from piece to piece. Pieces 0 and 2 hold tokens improbable at
     * the base (logits ≈ −250) whose logits rise along the sweep, piece 2's twice as fast; piece 1
     * holds nearly all of p_f and barely moves. Along the sweep piece 1's z falls more than
     * float32's exp can reach below the shift taken from piece 0, yet carries the sum (its sum
     * underflows unless summed again at its own shift), and piece 2's z then passes that new shift
     * by more than exp can hold (it overflows unless summed again).
     */
    @Test
    void piecesFarAboveAndFarBelowTheShiftAreSummedAgainExactly() {
        SplittableRandom rng = new SplittableRandom(2);
        float[] baseDir = unit(gaussian(rng, D, 1.0), null);
        float[] sweepDir = unit(gaussian(rng, D, 1.0), baseDir);
        float[] w = gaussian(rng, VOCAB * D, 0.05);
        for (int v = 0; v < VOCAB; v++) {
            int piece = v / SweepKl.VOCAB_PIECE;
            double against = piece == 1 ? 0 : -25;
            double along = piece == 0 ? 3 : piece == 2 ? 6 : 0;
            for (int j = 0; j < D; j++) {
                w[v * D + j] += (float) (against * baseDir[j] + along * sweepDir[j]);
            }
        }
        int steps = 41;
        float[] h = new float[steps * D];
        for (int k = 0; k < steps; k++) {
            for (int j = 0; j < D; j++) {
                h[k * D + j] = (float) (10 * baseDir[j] + 50.0 * k / (steps - 1) * sweepDir[j]);
            }
        }
        double[] kl = check(h, w, new int[] {0}, 1e-5, 1e-4);
        assertTrue(kl[steps - 1] > 30, "the far end moves p onto piece 2: KL " + kl[steps - 1]);
    }

    /** Compares with float64 and returns the KL; row f of each sweep must be exactly 0. */
    private static double[] check(float[] h, float[] w, int[] starts, double abs, double rel) {
        int rows = h.length / D;
        double[] kl;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            kl = SweepKl.perRow(m.create(h, new Shape(rows, D)), m.create(w, new Shape(VOCAB, D)), starts);
        }
        double[] want = reference(h, w, starts);
        for (int r = 0; r < rows; r++) {
            double tol = abs + rel * Math.abs(want[r]);
            assertEquals(want[r], kl[r], tol, "row " + r);
        }
        for (int s : starts) {
            assertEquals(0.0, kl[s], "row f of the sweep at " + s);
        }
        return kl;
    }

    /** KL(p_f ‖ p_r) = Σ_v p_f·(log p_f − log p_r) from float64 log-softmax. */
    private static double[] reference(float[] h, float[] w, int[] starts) {
        int rows = h.length / D;
        double[] kl = new double[rows];
        double[] logPf = null;
        int next = 0;
        for (int r = 0; r < rows; r++) {
            double[] logP = logSoftmax(h, r, w);
            if (next < starts.length && starts[next] == r) {
                logPf = logP;
                next++;
            }
            double sum = 0;
            for (int v = 0; v < VOCAB; v++) {
                sum += Math.exp(logPf[v]) * (logPf[v] - logP[v]);
            }
            kl[r] = sum;
        }
        return kl;
    }

    private static double[] logSoftmax(float[] h, int r, float[] w) {
        double[] row = new double[D];
        for (int j = 0; j < D; j++) {
            row[j] = h[r * D + j];
        }
        return ReferenceGpt2.logSoftmax(row, w, VOCAB);
    }

    /** Sweeps from random bases along random directions, row k of a sweep at k/length·scale. */
    private static float[] sweeps(SplittableRandom rng, int[] lengths, double scale) {
        int rows = java.util.Arrays.stream(lengths).sum();
        float[] h = new float[rows * D];
        int r = 0;
        for (int length : lengths) {
            float[] base = gaussian(rng, D, 1.0);
            float[] dir = gaussian(rng, D, 1.0);
            for (int k = 0; k < length; k++, r++) {
                for (int j = 0; j < D; j++) {
                    h[r * D + j] = (float) (base[j] + scale * k / length * dir[j]);
                }
            }
        }
        return h;
    }

    private static int[] starts(int[] lengths) {
        int[] starts = new int[lengths.length];
        for (int s = 1; s < lengths.length; s++) {
            starts[s] = starts[s - 1] + lengths[s - 1];
        }
        return starts;
    }

    /** v made orthogonal to {@code away} (when given) and of norm 1. */
    private static float[] unit(float[] v, float[] away) {
        double[] x = new double[D];
        double dot = 0;
        for (int j = 0; j < D; j++) {
            x[j] = v[j];
            dot += away == null ? 0 : (double) v[j] * away[j];
        }
        double norm = 0;
        for (int j = 0; j < D; j++) {
            x[j] -= away == null ? 0 : dot * away[j];
            norm += x[j] * x[j];
        }
        float[] out = new float[D];
        for (int j = 0; j < D; j++) {
            out[j] = (float) (x[j] / Math.sqrt(norm));
        }
        return out;
    }

    private static float[] gaussian(SplittableRandom rng, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (std * RandomGpt2Files.gauss(rng, 1.0));
        }
        return a;
    }
}
