package org.plateau.perturbation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.data.RandomTokenPrompts;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;

/** Random targets: N(μ, Σ) of model activations, with Σ singular under tl processing. */
class ActivationDistributionTest {

    @TempDir
    Path tmp;

    @Test
    void fitsAndSamplesTheSingularCovarianceOfTlActivations() {
        float[][] acts;
        try (Gpt2 model = Gpt2.load(Fixtures.tinyA().resolve("model"), Processing.TL)) {
            RandomTokenPrompts prompts = new RandomTokenPrompts(model.config().vocabSize(), 10);
            Well19937c rng = new Well19937c(3);
            List<int[]> list = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                list.add(prompts.draw(rng));
            }
            acts = model.activations(list, HookPoint.residPre(1));
        }
        int d = acts[0].length;
        // independent moments in plain Java
        double[] mu = new double[d];
        for (float[] a : acts) {
            for (int i = 0; i < d; i++) {
                mu[i] += a[i] / (double) acts.length;
            }
        }
        double trace = 0;
        for (float[] a : acts) {
            for (int i = 0; i < d; i++) {
                trace += (a[i] - mu[i]) * (a[i] - mu[i]) / acts.length;
            }
        }
        ActivationDistribution dist = ActivationDistribution.fit(acts);
        assertEquals(trace, dist.covarianceTrace(), 1e-6 * trace);
        for (int i = 0; i < d; i++) {
            assertEquals(mu[i], dist.mean()[i], 1e-5);
        }

        // samples: right mean and total variance, and like tl activations orthogonal to all-ones
        int n = 4000;
        Well19937c rng = new Well19937c(9);
        double[] sampleMean = new double[d];
        float[][] samples = new float[n][];
        for (int s = 0; s < n; s++) {
            samples[s] = dist.sample(rng);
            double sum = 0;
            for (int i = 0; i < d; i++) {
                sampleMean[i] += samples[s][i] / (double) n;
                sum += samples[s][i];
            }
            assertEquals(0, sum, 1e-3, "orthogonal to the all-ones vector");
        }
        double sampleTrace = 0;
        for (float[] s : samples) {
            for (int i = 0; i < d; i++) {
                sampleTrace += (s[i] - sampleMean[i]) * (s[i] - sampleMean[i]) / n;
            }
        }
        assertEquals(trace, sampleTrace, 0.05 * trace);
        for (int i = 0; i < d; i++) {
            assertEquals(mu[i], sampleMean[i], 5 * Math.sqrt(trace / d / n) + 1e-3);
        }

        // the same generator state gives the same draw, also after a save and load
        Path file = tmp.resolve("dist.safetensors");
        dist.save(file);
        ActivationDistribution loaded = ActivationDistribution.load(file);
        assertArrayEquals(dist.sample(new Well19937c(1)), loaded.sample(new Well19937c(1)));
        assertEquals(dist.sampleCount(), loaded.sampleCount());
        assertTrue(Math.abs(dist.covarianceTrace() - loaded.covarianceTrace()) < 1e-9);
    }
}
