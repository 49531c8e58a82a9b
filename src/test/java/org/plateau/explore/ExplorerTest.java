package org.plateau.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.plateau.Fixtures;
import org.plateau.experiment.Lab;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.experiment.PerturbationSettings;
import org.plateau.io.Json;
import org.plateau.metrics.DistributionStats;
import org.plateau.metrics.Histograms;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.Paper;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;
import org.plateau.reference.ReferenceGpt2;
import org.plateau.reference.ReferenceSweeps;

/** What the window shows, computed without JavaFX: perturbations, batches, distributions and exports. */
class ExplorerTest {

    static final int[] BASE = {121, 286, 364, 442, 423, 64, 435, 455, 60, 370};
    static final int[] TARGET = {19, 277, 462, 351, 15, 131, 68, 229, 263, 437};
    static Lab lab;

    @BeforeAll
    static void open() {
        lab = Lab.open(Fixtures.tinyA().resolve("model"), Fixtures.tinyA().resolve("sae"), Processing.TL, Device.cpu());
    }

    @AfterAll
    static void close() {
        lab.close();
    }

    static PerturbationSettings settings(double stepSize, int steps) {
        return new PerturbationSettings(HookPoint.residPre(1), HookPoint.residPost(3), stepSize, steps,
                Paper.AP_THRESHOLD, Paper.TARGET_COS, 400);
    }

    @Test
    void aPerturbationIsTheReferenceSweepAndChangingItsSettingsKeepsTheBase() throws Exception {
        try (Explorer ex = new Explorer(lab)) {
            Perturbation p = ex.run(new ExploreRequest(BASE, TargetType.MODEL_GENERATED, TARGET, StepMode.RELATIVE, 1,
                    settings(0.3, 40)), null);
            ReferenceGpt2 ref = ReferenceGpt2.load(Fixtures.tinyA().resolve("model"), true);
            ReferenceGpt2.Prompt base = ref.run(BASE);
            ReferenceSweeps.Curve want = ReferenceSweeps.sweep(base, 1, 4, base.last(1), ref.run(TARGET).last(1), false,
                    0.3, 40);
            assertEquals(41, p.curve().l2().length);
            double scale = java.util.Arrays.stream(want.l2()).max().orElse(1);
            for (int n = 0; n <= 40; n++) {
                assertEquals(want.l2()[n], p.curve().l2()[n], 1e-4 * scale, "L2 at " + n);
                assertEquals(want.kl()[n], p.curve().kl()[n], Math.max(1e-5, 1e-3 * want.kl()[n]), "KL at " + n);
            }
            assertEquals(ReferenceSweeps.maxSlope(p.curve().l2()), p.metric(Metric.MS_L2));
            assertEquals(1, ex.prefills());

            // another step mode, size, count and type on the same base: only the new sweep runs
            ex.run(new ExploreRequest(BASE, TargetType.SYNTHETIC_STRUCTURED, null, StepMode.ABSOLUTE, 1,
                    settings(0.7, 40)), null);
            ex.run(new ExploreRequest(BASE, TargetType.RANDOM, null, StepMode.ABSOLUTE, 2, settings(0.7, 60)), null);
            assertEquals(1, ex.prefills(), "the base prompt ran once");
            ex.run(new ExploreRequest(TARGET, TargetType.MODEL_GENERATED, BASE, StepMode.ABSOLUTE, 1, settings(0.7, 40)),
                    null);
            assertEquals(2, ex.prefills(), "a new base runs again");
        }
    }

    static Comparison.Result batch(int n, int steps, java.util.function.BooleanSupplier cancelled,
            List<Integer> partials) {
        Comparison.Request r = new Comparison.Request(List.of(TargetType.MODEL_GENERATED,
                TargetType.SYNTHETIC_STRUCTURED, TargetType.RANDOM), StepMode.ABSOLUTE, n, 4, settings(0.5, steps));
        return Comparison.run(lab, r, new Comparison.Listener() {
            @Override
            public void progress(int done, int total) {}

            @Override
            public void partial(List<PerturbationRecord> soFar) {
                partials.add(soFar.size());
            }
        }, cancelled);
    }

    @Test
    void distributionsFollowTheStepCountAndSumToN() {
        Comparison.Result result = batch(4, 30, () -> false, new ArrayList<>());
        assertTrue(result.complete());
        Distributions.Slice slice = Distributions.slices(result.records()).get(0);
        for (Metric m : Metric.values()) {
            Distributions.View v = Distributions.of(result.records(), slice, m);
            assertEquals(30, v.steps());
            assertEquals(3, v.types().size());
            double[] reference = v.types().get(0).values();
            for (Distributions.TypeDistribution t : v.types()) {
                assertEquals(Histograms.stepBins(30), t.histogram().counts().length, "bins cover steps 0..31");
                assertEquals(4, t.histogram().total(), m + " " + t.type() + ": every perturbation in one bin");
                assertEquals(DistributionStats.ksStatistic(t.values(), reference), t.stats().ks(), 1e-12);
                for (double x : t.values()) {
                    assertTrue(x >= 0 && x <= 31, m + " within the sweep or just past it: " + x);
                }
            }
        }
    }

    @Test
    void aCancelledBatchKeepsWhatFinishedAndShowedItAsItWent() {
        AtomicInteger asked = new AtomicInteger();
        List<Integer> partials = new ArrayList<>();
        Comparison.Result result = batch(10, 20, () -> asked.incrementAndGet() > 2, partials);
        assertFalse(result.complete());
        assertEquals(2 * 3, result.records().size(), "two bases of three types");
        assertEquals(List.of(3, 6), partials, "the view grew after each base");
    }

    @Test
    void exportsCarryEveryStepAndMetric() throws Exception {
        try (Explorer ex = new Explorer(lab)) {
            List<Perturbation> ps = List.of(
                    ex.run(new ExploreRequest(BASE, TargetType.MODEL_GENERATED, TARGET, StepMode.ABSOLUTE, 1,
                            settings(0.5, 25)), null),
                    ex.run(new ExploreRequest(BASE, TargetType.SYNTHETIC_BASELINE, null, StepMode.ABSOLUTE, 1,
                            settings(0.5, 25)), null));
            List<String> csv = Exports.curvesCsv(ps).lines().toList();
            assertEquals(1 + 26, csv.size(), "a header, then steps 0..25");
            assertEquals("step,model-generated_1_l2,model-generated_1_kl,synthetic-baseline_2_l2,synthetic-baseline_2_kl",
                    csv.get(0));
            JsonNode json = Json.MAPPER.readTree(Exports.curvesJson(ps));
            for (JsonNode p : json) {
                for (Metric m : Metric.values()) {
                    assertTrue(p.has(m.id()), m.id());
                }
                assertEquals(26, p.path("l2").size());
            }
        }
        Comparison.Result result = batch(3, 20, () -> false, new ArrayList<>());
        Distributions.View v = Distributions.of(result.records(), Distributions.slices(result.records()).get(0),
                Metric.MS_L2);
        assertEquals(1 + 9, Exports.distributionCsv(v).lines().count(), "a header, then one row per perturbation");
        assertEquals(1 + 3, Exports.statisticsCsv(v).lines().count(), "a header, then one row per type");
        JsonNode dist = Json.MAPPER.readTree(Exports.distributionJson(v));
        assertEquals(Distributions.BIN, dist.path("bin_width").asInt());
        assertEquals(3, dist.path("types").size());
    }
}
