package org.plateau.perturbation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
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
        int n = activations.length;
        if (n < 2) {
            throw new PlateauException("At least two activations are needed to fit the random-target distribution.");
        }
        int d = activations[0].length;
        double[] mu = new double[d];
        double[][] cov;
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = m.create(activations).toType(DataType.FLOAT64, false);
            NDArray mean = x.mean(new int[] {0}, true);
            NDArray centred = x.sub(mean);
            NDArray c = centred.transpose().matMul(centred).div(n);
            double[] flat = c.toDoubleArray();
            double[] mflat = mean.toDoubleArray();
            System.arraycopy(mflat, 0, mu, 0, d);
            cov = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    // symmetrise away the last bit of rounding so the decomposition sees a symmetric matrix
                    cov[i][j] = 0.5 * (flat[i * d + j] + flat[j * d + i]);
                }
            }
        }
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += cov[i][i];
        }
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
        double[] values = eig.getRealEigenvalues();
        RealMatrix vectors = eig.getV();
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
                factor[i][col] = (float) (vectors.getEntry(i, e) * scale);
            }
            col++;
        }
        float[] meanF = new float[d];
        for (int i = 0; i < d; i++) {
            meanF[i] = (float) mu[i];
        }
        return new ActivationDistribution(meanF, factor, n, trace);
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
