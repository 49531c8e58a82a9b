package org.plateau.perturbation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.junit.jupiter.api.Test;
import org.plateau.io.Safetensors;

/** Covariances Commons Math's eigen solver gives up on are decomposed anyway, exactly enough to sample from. */
class JacobiEigenTest {

    /** A rank-deficient covariance of {@code samples} random vectors centred over their components (as tl's are). */
    static double[][] covariance(int d, int samples, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[samples][d];
        for (double[] v : x) {
            double mean = 0;
            for (int i = 0; i < d; i++) {
                v[i] = r.nextGaussian() * (1 + (i % 5));
                mean += v[i] / d;
            }
            for (int i = 0; i < d; i++) {
                v[i] -= mean;
            }
        }
        double[][] c = new double[d][d];
        for (double[] v : x) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    c[i][j] += v[i] * v[j] / samples;
                }
            }
        }
        return c;
    }

    static double maxAbs(double[][] a) {
        return Arrays.stream(a).flatMapToDouble(Arrays::stream).map(Math::abs).max().orElse(0);
    }

    @Test
    void eigenpairsReconstructTheMatrixAndAgreeWithCommonsMath() {
        for (long seed = 1; seed <= 3; seed++) {
            double[][] c = covariance(40, 15, seed);
            JacobiEigen.Result j = JacobiEigen.of(c);
            int n = c.length;
            double scale = maxAbs(c);
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    double rec = 0;
                    double dot = 0;
                    for (int e = 0; e < n; e++) {
                        rec += j.vectors()[a][e] * j.values()[e] * j.vectors()[b][e];
                        dot += j.vectors()[e][a] * j.vectors()[e][b];
                    }
                    assertEquals(c[a][b], rec, 1e-10 * scale, "V Λ Vᵀ at " + a + "," + b);
                    assertEquals(a == b ? 1 : 0, dot, 1e-10, "orthonormal columns " + a + "," + b);
                }
            }
            double[] ours = j.values().clone();
            double[] theirs = new EigenDecomposition(new Array2DRowRealMatrix(c)).getRealEigenvalues().clone();
            Arrays.sort(ours);
            Arrays.sort(theirs);
            for (int e = 0; e < n; e++) {
                assertEquals(theirs[e], ours[e], 1e-10 * scale, "eigenvalue " + e);
            }
        }
    }

    @Test
    void theDemosNonConvergingCovarianceIsFittedAndSampledFaithfully() throws Exception {
        // 150 activations of the demo model (a hub dataset's row starts, drawn with repeats) whose
        // covariance made Commons Math's QL iteration give up: reproduce failed on them
        float[][] acts;
        try (Safetensors s = Safetensors.open(java.nio.file.Path.of(
                JacobiEigenTest.class.getResource("/eigen/nonconverging-activations.safetensors").toURI()))) {
            long[] shape = s.entry("activations").shape();
            float[] flat = s.loadFloats("activations");
            acts = new float[(int) shape[0]][];
            for (int k = 0; k < acts.length; k++) {
                acts[k] = Arrays.copyOfRange(flat, k * (int) shape[1], (k + 1) * (int) shape[1]);
            }
        }
        ActivationDistribution.Accumulator acc = new ActivationDistribution.Accumulator(acts[0].length);
        acc.add(acts);
        double[][] cov = acc.covariance();
        // the Jacobi rotations on it, whether or not this machine's rounding also defeats Commons Math
        JacobiEigen.Result eig = JacobiEigen.of(cov);
        double top = maxAbs(cov);
        for (int a = 0; a < cov.length; a += 7) {
            for (int b = 0; b < cov.length; b += 5) {
                double rec = 0;
                for (int e = 0; e < cov.length; e++) {
                    rec += eig.vectors()[a][e] * eig.values()[e] * eig.vectors()[b][e];
                }
                assertEquals(cov[a][b], rec, 1e-10 * top, "V Λ Vᵀ at " + a + "," + b);
            }
        }
        ActivationDistribution d = acc.finish();
        double[][] sampled = d.sampledCovariance();
        double scale = maxAbs(cov);
        for (int i = 0; i < cov.length; i++) {
            for (int j = 0; j < cov.length; j++) {
                // F Fᵀ is Σ up to float32 factors and the clamped (rounding-sized) negative eigenvalues
                assertEquals(cov[i][j], sampled[i][j], 1e-5 * scale, "Σ at " + i + "," + j);
            }
        }
        for (float v : d.sample(new org.apache.commons.math3.random.Well19937c(1))) {
            assertTrue(Float.isFinite(v));
        }
    }
}
