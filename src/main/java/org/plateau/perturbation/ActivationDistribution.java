package org.plateau.perturbation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;
import org.plateau.io.Safetensors;
import org.plateau.io.SafetensorsWriter;

/**
 * N(μ, Σ) fitted to model-generated activations, the source of "random" targets (METHOD §4.2).
 *
 * <p>Σ is the population covariance. Under "tl" processing every activation is orthogonal to the
 * all-ones vector, so Σ is singular; sampling goes through its eigen-decomposition with negative
 * eigenvalues (rounding) clamped to zero: x = μ + V·√Λ·g with g standard normal.
 */
public final class ActivationDistribution {

    private final float[] mean;
    /** [d][k]: x = mean + factor·g, with k the number of positive eigenvalues. */
    private final float[][] factor;
    private final int sampleCount;
    private final double covarianceTrace;

    private ActivationDistribution(float[] mean, float[][] factor, int sampleCount, double covarianceTrace) {
        this.mean = mean;
        this.factor = factor;
        this.sampleCount = sampleCount;
        this.covarianceTrace = covarianceTrace;
    }

    public static ActivationDistribution fit(float[][] activations) {
        Accumulator acc = new Accumulator(activations.length == 0 ? 0 : activations[0].length);
        acc.add(activations);
        return acc.finish();
    }

    /**
     * The moments of activations that arrive in chunks, in float64: the activations themselves
     * need not be held, only their sum and cross-products (d² numbers), so the count is bounded
     * by time, not memory. Sums are taken around the first activation, which keeps them small.
     */
    public static final class Accumulator {
        private final int d;
        private double[] shift;
        private final double[] sum;
        private final double[] cross;
        private long n;

        public Accumulator(int d) {
            this.d = d;
            this.sum = new double[d];
            this.cross = new double[d * d];
        }

        public void add(float[][] chunk) {
            if (chunk.length == 0) {
                return;
            }
            if (shift == null) {
                shift = new double[d];
                for (int i = 0; i < d; i++) {
                    shift[i] = chunk[0][i];
                }
            }
            try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                NDArray x = m.create(chunk).toType(DataType.FLOAT64, false).sub(m.create(shift));
                double[] s = x.sum(new int[] {0}).toDoubleArray();
                double[] c = x.transpose().matMul(x).toDoubleArray();
                for (int i = 0; i < d; i++) {
                    sum[i] += s[i];
                }
                for (int k = 0; k < c.length; k++) {
                    cross[k] += c[k];
                }
            }
            n += chunk.length;
        }

        public long count() {
            return n;
        }

        /** N(μ, Σ) with Σ the population covariance of everything added. */
        public ActivationDistribution finish() {
            if (n < 2) {
                throw new PlateauException("At least two activations are needed to fit the random-target distribution.");
            }
            double[] mu = new double[d];
            double[] offset = new double[d];
            for (int i = 0; i < d; i++) {
                offset[i] = sum[i] / n;
                mu[i] = shift[i] + offset[i];
            }
            return decompose(mu, covariance(), (int) Math.min(Integer.MAX_VALUE, n));
        }

        /** Σ, symmetrised: the decomposition must see an exactly symmetric matrix. */
        double[][] covariance() {
            double[] offset = new double[d];
            for (int i = 0; i < d; i++) {
                offset[i] = sum[i] / n;
            }
            double[][] cov = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double cij = cross[i * d + j] / n - offset[i] * offset[j];
                    double cji = cross[j * d + i] / n - offset[j] * offset[i];
                    cov[i][j] = 0.5 * (cij + cji);
                }
            }
            return cov;
        }
    }

    private static ActivationDistribution decompose(double[] mu, double[][] cov, int n) {
        int d = mu.length;
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += cov[i][i];
        }
        double[] values;
        double[][] vectors;
        try {
            EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
            values = eig.getRealEigenvalues();
            vectors = eig.getV().getData();
        } catch (org.apache.commons.math3.exception.MathIllegalStateException e) {
            // Commons Math's QL iteration gives up on some nearly singular covariances (few activations)
            JacobiEigen.Result j = JacobiEigen.of(cov);
            values = j.values();
            vectors = j.vectors();
        }
        int k = 0;
        for (double v : values) {
            if (v > 0) {
                k++;
            }
        }
        float[][] factor = new float[d][k];
        int col = 0;
        for (int e = 0; e < values.length; e++) {
            if (values[e] <= 0) {
                continue; // clamped to zero: no spread along this direction
            }
            double scale = Math.sqrt(values[e]);
            for (int i = 0; i < d; i++) {
                factor[i][col] = (float) (vectors[i][e] * scale);
            }
            col++;
        }
        float[] meanF = new float[d];
        for (int i = 0; i < d; i++) {
            meanF[i] = (float) mu[i];
        }
        return new ActivationDistribution(meanF, factor, n, trace);
    }

    /** F·Fᵀ of the sampling factor: Σ with its negative eigenvalues clamped (for tests). */
    double[][] sampledCovariance() {
        int d = factor.length;
        double[][] c = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < factor[i].length; k++) {
                    s += (double) factor[i][k] * factor[j][k];
                }
                c[i][j] = s;
            }
        }
        return c;
    }

    /** One draw; the generator's state fully determines it. */
    public float[] sample(RandomGenerator rng) {
        int d = mean.length;
        int k = factor.length == 0 ? 0 : factor[0].length;
        double[] g = new double[k];
        for (int j = 0; j < k; j++) {
            g[j] = rng.nextGaussian();
        }
        float[] x = new float[d];
        for (int i = 0; i < d; i++) {
            double s = mean[i];
            float[] row = factor[i];
            for (int j = 0; j < k; j++) {
                s += row[j] * g[j];
            }
            x[i] = (float) s;
        }
        return x;
    }

    public float[] mean() {
        return mean.clone();
    }

    public int sampleCount() {
        return sampleCount;
    }

    /** tr Σ: the total variance, a quick check against other implementations. */
    public double covarianceTrace() {
        return covarianceTrace;
    }

    /** Saves the fit (a safetensors file) so that the next run skips the forward passes and the decomposition. */
    public void save(Path file) {
        int d = mean.length;
        int k = factor.length == 0 ? 0 : factor[0].length;
        float[] flat = new float[d * k];
        for (int i = 0; i < d; i++) {
            System.arraycopy(factor[i], 0, flat, i * k, k);
        }
        new SafetensorsWriter()
                .put("mean", mean, d)
                .put("factor", flat, d, k)
                .metadata("sample_count", Integer.toString(sampleCount))
                .metadata("covariance_trace", Double.toString(covarianceTrace))
                .write(file);
    }

    public static ActivationDistribution load(Path file) {
        if (!Files.exists(file)) {
            throw new PlateauException("No saved distribution at " + file + ".");
        }
        try (Safetensors st = Safetensors.open(file)) {
            float[] mean = st.loadFloats("mean");
            long[] shape = st.entry("factor").shape();
            if (shape.length != 2 || shape[0] != mean.length) {
                throw new PlateauException("The saved distribution " + file + " is inconsistent.");
            }
            int k = (int) shape[1];
            float[] flat = st.loadFloats("factor");
            float[][] factor = new float[mean.length][k];
            for (int i = 0; i < mean.length; i++) {
                System.arraycopy(flat, i * k, factor[i], 0, k);
            }
            int count = Integer.parseInt(st.metadata().getOrDefault("sample_count", "0"));
            double trace = Double.parseDouble(st.metadata().getOrDefault("covariance_trace", "NaN"));
            return new ActivationDistribution(mean, factor, count, trace);
        } catch (NumberFormatException e) {
            throw new PlateauException("The saved distribution " + file + " has unreadable metadata.");
        }
    }
}
