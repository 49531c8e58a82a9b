package org.plateau.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.plateau.Fixtures;
import org.plateau.Fixtures.Fixture;

/** The metric functions, exactly, on the oracle's curves and samples. */
class MetricsTest {

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void blowupMetricsOnTheOraclesCurves(Fixture f) {
        for (String mode : new String[] {"absolute", "relative"}) {
            JsonNode c = f.expected().path("curve").path(mode);
            double[] l2 = Fixtures.doubles(c.path("l2"));
            double[] kl = Fixtures.doubles(c.path("kl"));
            assertEquals(c.path("ms_l2").asInt(), BlowupMetrics.maxSlope(l2), mode + " MS L2");
            assertEquals(c.path("ms_kl").asInt(), BlowupMetrics.maxSlope(kl), mode + " MS KL");
            assertEquals(c.path("auc_l2").asInt(), BlowupMetrics.auc(l2), mode + " AUC");
            assertEquals(c.path("nl_l2").asInt(), BlowupMetrics.nonLinearity(l2), mode + " NL");
            assertEquals(c.path("ap_l2").asInt(),
                    BlowupMetrics.activationPlateau(l2, c.path("ap_threshold").asDouble()), mode + " AP");
        }
    }

    @Test
    void metricsOnHandMadeCurves() {
        double[] line = new double[101];
        double[] step = new double[101];
        for (int i = 0; i <= 100; i++) {
            line[i] = i;
            step[i] = i < 40 ? 0.1 * i : 4 + 10 * (i - 39);
        }
        assertEquals(39, BlowupMetrics.maxSlope(step));
        assertEquals(101, BlowupMetrics.nonLinearity(line), "a straight line never departs from itself");
        assertEquals(40, BlowupMetrics.nonLinearity(step));
        assertEquals(101, BlowupMetrics.activationPlateau(line, 1000), "beyond the sweep");
        assertEquals(21, BlowupMetrics.activationPlateau(line, 20));
        assertEquals(0, BlowupMetrics.maxSlope(line), "ties go to the first step");
        assertEquals(5, BlowupMetrics.auc(new double[101]), "all ratios 0: argmax of r[5:] is its first");
        // a curve that is flat, then a ramp (values from the oracle's auc_step, ms_step, nl_step)
        double[] knee = new double[101];
        for (int i = 0; i <= 100; i++) {
            knee[i] = i < 30 ? 1 : 1 + (i - 29);
        }
        assertEquals(38, BlowupMetrics.auc(knee));
        assertEquals(29, BlowupMetrics.maxSlope(knee));
        assertEquals(30, BlowupMetrics.nonLinearity(knee));
        assertEquals(43, BlowupMetrics.auc(step));
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void meanPopulationStdAndKsMatchTheOracle(Fixture f) {
        JsonNode s = f.expected().path("statistics");
        double[] a = Fixtures.doubles(s.path("a"));
        double[] b = Fixtures.doubles(s.path("b"));
        // the oracle rounds to 6 decimals
        assertEquals(s.path("mean_a").asDouble(), DistributionStats.mean(a), 1e-6);
        assertEquals(s.path("std_a_population").asDouble(), DistributionStats.populationStd(a), 1e-6);
        assertEquals(s.path("ks_statistic").asDouble(), DistributionStats.ksStatistic(a, b), 1e-6);
        assertEquals(new KolmogorovSmirnovTest().kolmogorovSmirnovStatistic(a, b),
                DistributionStats.ksStatistic(a, b), 1e-12);
        assertEquals(0.0, DistributionStats.ksStatistic(a, a));
        assertEquals(1.0, DistributionStats.ksStatistic(new double[] {1, 2}, new double[] {3, 4}));
    }
}
