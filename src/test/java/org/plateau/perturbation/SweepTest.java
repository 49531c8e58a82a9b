package org.plateau.perturbation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.plateau.Fixtures;
import org.plateau.Fixtures.Fixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.plateau.model.Gpt2;
import org.plateau.model.Gpt2Prefix;
import org.plateau.model.HookPoint;
import org.plateau.model.Lanes;
import org.plateau.model.Processing;

/** Perturbation sweeps against the oracle, and the cached batch against full recomputation. */
class SweepTest {

    static JsonNode expected;
    static JsonNode curve;
    static Gpt2 model;
    static HookPoint hook;
    static HookPoint read;
    static int[] baseTokens;
    static float[] target;

    /** Loads a fixture into the fields above (tests run one at a time). */
    static void load(Fixture f) {
        if (model != null) {
            model.close();
        }
        expected = f.expected();
        curve = expected.path("curve");
        model = Gpt2.load(f.model(), Processing.TL);
        hook = HookPoint.parse(expected.path("hook").asText(), model.config().nLayer());
        read = HookPoint.parse(expected.path("read").asText(), model.config().nLayer());
        baseTokens = Fixtures.ints(curve.path("base_tokens"));
        target = model.activation(Fixtures.ints(curve.path("target_tokens")), hook);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    SweepSettings settings(StepMode mode) {
        return new SweepSettings(hook, read, mode, curve.path("step_size").asDouble(), curve.path("n_steps").asInt());
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void bothCurvesMatchTheOracle(Fixture f) {
        load(f);
        double actTol = expected.path("tolerance").path("activation_rel").asDouble();
        double klAbs = expected.path("tolerance").path("kl_abs").asDouble();
        double klRel = expected.path("tolerance").path("kl_rel").asDouble();
        PerturbationSweep sweep = new PerturbationSweep(model);
        for (StepMode mode : StepMode.values()) {
            JsonNode want = curve.path(mode.id());
            Curve c;
            try (Gpt2Prefix prefix = sweep.prepare(baseTokens, hook)) {
                c = sweep.run(prefix, target, settings(mode));
            }
            double[] l2 = Fixtures.doubles(want.path("l2"));
            double[] kl = Fixtures.doubles(want.path("kl"));
            assertEquals(101, c.l2().length);
            assertEquals(0.0, c.l2()[0]);
            assertEquals(0.0, c.kl()[0]);
            for (int n = 1; n <= 100; n++) {
                assertEquals(l2[n], c.l2()[n], actTol * l2[n], mode + " L2 at step " + n);
                double diff = Math.abs(c.kl()[n] - kl[n]);
                assertTrue(diff <= klAbs || diff <= klRel * Math.abs(kl[n]),
                        mode + " KL at step " + n + ": " + c.kl()[n] + " vs " + kl[n]);
            }
            for (Metric m : Metric.values()) {
                assertEquals(want.path(m.id()).asInt(), m.of(c, want.path("ap_threshold").asDouble()), mode + " " + m.id());
            }
        }
    }

    /** The authors' pipeline (whole prompts, everything cached, one batch) gives the same curves. */
    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void theAuthorsPathGivesTheSameCurves(Fixture f) {
        load(f);
        PerturbationSweep sweep = new PerturbationSweep(model);
        HookPoint at = HookPoint.residPre(1);
        SweepSettings s = new SweepSettings(at, HookPoint.residPost(model.config().nLayer() - 1), StepMode.RELATIVE, 0.5, 100);
        try (Gpt2Prefix prefix = sweep.prepare(baseTokens, at)) {
            Curve cached = sweep.run(prefix, target, s);
            Curve authors = sweep.runAuthorsPath(baseTokens, prefix.activation(), target, s);
            for (int n = 1; n <= 100; n++) {
                assertEquals(authors.l2()[n], cached.l2()[n], 1e-4 * Math.max(1, authors.l2()[n]), "L2 at " + n);
                assertEquals(authors.kl()[n], cached.kl()[n], 1e-5 + 1e-4 * authors.kl()[n], "KL at " + n);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void cachedBatchEqualsFullRecomputation(Fixture f) {
        load(f);
        PerturbationSweep sweep = new PerturbationSweep(model);
        // every hook and read point the tiny model has, so the cache is checked at each depth
        for (int h = 0; h < model.config().nLayer(); h++) {
            HookPoint at = HookPoint.residPre(h);
            float[] t = model.activation(Fixtures.ints(curve.path("target_tokens")), at);
            for (int r = h; r <= model.config().nLayer(); r++) {
                HookPoint rd = r < model.config().nLayer() ? HookPoint.residPre(r) : HookPoint.residPost(r - 1);
                SweepSettings s = new SweepSettings(at, rd, StepMode.ABSOLUTE, 0.3, 100);
                try (Gpt2Prefix prefix = sweep.prepare(baseTokens, at)) {
                    Curve cached = sweep.run(prefix, t, s);
                    Curve full = sweep.runFullRecompute(baseTokens, prefix.activation(), t, s);
                    for (int n = 1; n <= 100; n++) {
                        assertEquals(full.l2()[n], cached.l2()[n], 1e-4 * Math.max(1, full.l2()[n]),
                                "hook " + at + " read " + rd + " L2 at " + n);
                        assertEquals(full.kl()[n], cached.kl()[n], 1e-5 + 1e-4 * full.kl()[n],
                                "hook " + at + " KL at " + n);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void theSweepStartsAtTheBaseActivation(Fixture f) {
        load(f);
        try (Gpt2Prefix prefix = new PerturbationSweep(model).prepare(baseTokens, hook)) {
            float[] own = model.activation(baseTokens, hook);
            // two routes to one value (the whole prompt, or only what the point depends on): float32 rounding apart
            assertEquals(0.0, Fixtures.relativeError(prefix.activation(), Fixtures.doubles(own)), 1e-6);
            double dist = 0;
            for (int i = 0; i < own.length; i++) {
                dist += (target[i] - own[i]) * (target[i] - own[i]);
            }
            assertEquals(curve.path("distance").asDouble(), Math.sqrt(dist), 1e-4 * Math.sqrt(dist));
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void batchedSweepsEqualSeparateOnes(Fixture f) {
        load(f);
        PerturbationSweep sweep = new PerturbationSweep(model);
        try (Gpt2Prefix prefix = sweep.prepare(baseTokens, hook)) {
            float[] a = prefix.activation();
            float[] other = model.activation(Fixtures.ints(expected.path("prompts").get(2)), hook);
            java.util.List<PerturbationSweep.Job> jobs = java.util.List.of(
                    new PerturbationSweep.Job(a, target, settings(StepMode.ABSOLUTE)),
                    new PerturbationSweep.Job(a, target, settings(StepMode.RELATIVE)),
                    new PerturbationSweep.Job(other, target, settings(StepMode.ABSOLUTE)));
            for (int maxRows : new int[] {101, 202, 1000}) {
                java.util.List<Curve> together = sweep.runAll(prefix, jobs, maxRows);
                for (int j = 0; j < jobs.size(); j++) {
                    Curve alone = sweep.run(prefix, jobs.get(j).base(), jobs.get(j).target(), jobs.get(j).settings());
                    for (int n = 0; n <= 100; n++) {
                        assertEquals(alone.l2()[n], together.get(j).l2()[n], 1e-4 * (1 + alone.l2()[n]), "job " + j + " L2 " + n);
                        assertEquals(alone.kl()[n], together.get(j).kl()[n], 1e-5 + 1e-4 * alone.kl()[n], "job " + j + " KL " + n);
                    }
                }
            }
        }
    }

    /** Five sweeps from the prompt and from another base, toward two targets, in both step modes. */
    java.util.List<PerturbationSweep.Job> fiveJobs(float[] a) {
        float[] other = model.activation(Fixtures.ints(expected.path("prompts").get(2)), hook);
        float[] second = model.activation(Fixtures.ints(expected.path("prompts").get(3)), hook);
        return java.util.List.of(
                new PerturbationSweep.Job(a, target, settings(StepMode.ABSOLUTE)),
                new PerturbationSweep.Job(a, second, settings(StepMode.RELATIVE)),
                new PerturbationSweep.Job(other, target, settings(StepMode.ABSOLUTE)),
                new PerturbationSweep.Job(a, second, settings(StepMode.ABSOLUTE)),
                new PerturbationSweep.Job(other, second, settings(StepMode.RELATIVE)));
    }

    /** runAll on a freshly prepared prompt (its earlier positions still to be carried by a batch). */
    java.util.List<Curve> fresh(PerturbationSweep sweep, int maxRows) {
        try (Gpt2Prefix prefix = sweep.prepare(baseTokens, hook)) {
            return sweep.runAll(prefix, fiveJobs(prefix.activation()), maxRows);
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void batchesSideBySideGiveWhatTheyGiveOneAfterAnother(Fixture f) {
        load(f);
        try (Lanes two = Lanes.sideBySide(2, 1); Lanes three = Lanes.sideBySide(3, 1)) {
            // 101 rows: five batches, so a lane runs several and waits for the first's keys and values
            for (int maxRows : new int[] {101, 202, 303}) {
                java.util.List<Curve> oneLane = fresh(new PerturbationSweep(model, Lanes.one()), maxRows);
                for (Lanes lanes : java.util.List.of(two, three, two)) {
                    java.util.List<Curve> inTurn = fresh(new PerturbationSweep(model, Lanes.inTurn(lanes.count())), maxRows);
                    java.util.List<Curve> side = fresh(new PerturbationSweep(model, lanes), maxRows);
                    for (int j = 0; j < inTurn.size(); j++) {
                        // the same batches, run on other threads at another time: bit for bit
                        assertArrayEquals(inTurn.get(j).l2(), side.get(j).l2(), "rows " + maxRows + ", job " + j + " L2");
                        assertArrayEquals(inTurn.get(j).kl(), side.get(j).kl(), "rows " + maxRows + ", job " + j + " KL");
                        // other batches than one lane's: float32 sums in another order
                        for (int n = 0; n < side.get(j).l2().length; n++) {
                            double l2 = oneLane.get(j).l2()[n];
                            double kl = oneLane.get(j).kl()[n];
                            assertEquals(l2, side.get(j).l2()[n], 1e-5 * (1 + l2), "job " + j + " L2 " + n);
                            assertEquals(kl, side.get(j).kl()[n], 1e-6 + 1e-4 * kl, "job " + j + " KL " + n);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aFailedBatchBesideOthersIsThrownAndThePromptStaysUsable() {
        load(Fixtures.a());
        try (Lanes two = Lanes.sideBySide(2, 1)) {
            PerturbationSweep sweep = new PerturbationSweep(model, two);
            java.util.List<Curve> reference = fresh(new PerturbationSweep(model, Lanes.inTurn(2)), 101);
            try (Gpt2Prefix prefix = sweep.prepare(baseTokens, hook)) {
                java.util.List<PerturbationSweep.Job> jobs = new java.util.ArrayList<>(fiveJobs(prefix.activation()));
                for (int broken : new int[] {0, 1}) { // the batch that keeps the keys and values, then one beside it
                    java.util.List<PerturbationSweep.Job> bad = new java.util.ArrayList<>(jobs);
                    bad.set(broken, new PerturbationSweep.Job(prefix.activation(), new float[3], settings(StepMode.RELATIVE)));
                    RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                            () -> sweep.runAll(prefix, bad, 101));
                    assertTrue(!(e instanceof IllegalStateException) || e.getCause() == null, "thrown as the batch threw it: " + e);
                }
                java.util.List<Curve> after = sweep.runAll(prefix, jobs, 101);
                for (int j = 0; j < reference.size(); j++) {
                    assertArrayEquals(reference.get(j).l2(), after.get(j).l2(), "job " + j + " L2");
                    assertArrayEquals(reference.get(j).kl(), after.get(j).kl(), "job " + j + " KL");
                }
            }
        }
    }

    @Test
    void batchesAreAsFewAsTheRowLimitAllowsAndEven() {
        int[] study = new int[21];
        java.util.Arrays.fill(study, 101);
        // a base's 21 sweeps under 2048 rows: 11 + 10, not 20 + a thin one
        assertEquals(java.util.List.of(11, 21), PerturbationSweep.batchEnds(study, 2048, 1));
        assertEquals(java.util.List.of(7, 14, 21), PerturbationSweep.batchEnds(study, 1024, 1));
        assertEquals(java.util.List.of(21), PerturbationSweep.batchEnds(study, 2121, 1));
        // lanes: the same two batches on two lanes; a multiple of the lanes, so that none idles
        assertEquals(java.util.List.of(11, 21), PerturbationSweep.batchEnds(study, 2048, 2));
        assertEquals(java.util.List.of(5, 11, 16, 21), PerturbationSweep.batchEnds(study, 1024, 2));
        assertEquals(java.util.List.of(7, 14, 21), PerturbationSweep.batchEnds(study, 1024, 3));
        // what fits one batch stays one, whatever the lanes
        assertEquals(java.util.List.of(21), PerturbationSweep.batchEnds(study, 2121, 2));
        // a job over the limit runs alone; none is dropped
        assertEquals(java.util.List.of(1, 2, 3), PerturbationSweep.batchEnds(new int[] {101, 5001, 101}, 1000, 1));
        assertEquals(java.util.List.of(1), PerturbationSweep.batchEnds(new int[] {101}, 50, 1));
        // uneven jobs: more batches until each keeps to its share
        assertEquals(java.util.List.of(1, 2, 3), PerturbationSweep.batchEnds(new int[] {600, 600, 600}, 1000, 1));
        assertEquals(java.util.List.of(), PerturbationSweep.batchEnds(new int[0], 2048, 2));
        // the study's limit: its 21 sweeps, and the paper's 18 (--types paper), in two even batches
        int limit = org.plateau.experiment.Perturber.MAX_BATCH_ROWS;
        assertEquals(java.util.List.of(11, 21), PerturbationSweep.batchEnds(study, limit, 1));
        assertEquals(java.util.List.of(11, 21), PerturbationSweep.batchEnds(study, limit, 2));
        int[] paper = java.util.Arrays.copyOf(study, 18);
        assertEquals(java.util.List.of(9, 18), PerturbationSweep.batchEnds(paper, limit, 1));
        assertEquals(java.util.List.of(9, 18), PerturbationSweep.batchEnds(paper, limit, 2));
        // every split keeps the jobs in order, each batch within the share unless a job alone exceeds it
        java.util.Random random = new java.util.Random(5);
        for (int trial = 0; trial < 500; trial++) {
            int[] rows = random.ints(1 + random.nextInt(30), 2, 700).toArray();
            int maxRows = 200 + random.nextInt(3000);
            int lanes = 1 + random.nextInt(3);
            java.util.List<Integer> ends = PerturbationSweep.batchEnds(rows, maxRows, lanes);
            assertEquals(rows.length, ends.get(ends.size() - 1));
            int start = 0;
            for (int end : ends) {
                assertTrue(end > start, "an empty batch in " + ends);
                int sum = java.util.Arrays.stream(rows, start, end).sum();
                assertTrue(end - start == 1 || sum <= maxRows, "batch " + start + ".." + end + " of " + sum + " rows");
                start = end;
            }
        }
    }

    @Test
    void theDevicePathIsTheDefinedPath() {
        load(Fixtures.a());
        try (ai.djl.ndarray.NDManager m = model.manager().newSubManager()) {
            float[] base = model.activation(baseTokens, hook);
            for (StepMode mode : StepMode.values()) {
                SweepSettings s = new SweepSettings(hook, read, mode, 0.37, 100);
                float[][] want = s.path(base, target);
                float[] got = PerturbationSweep.pathOnDevice(m, base, target, s).toFloatArray();
                for (int n = 0; n < want.length; n++) {
                    for (int i = 0; i < base.length; i++) {
                        assertEquals(want[n][i], got[n * base.length + i], 1e-5 * (1 + Math.abs(want[n][i])), mode + " " + n);
                    }
                }
            }
        }
    }

    @Test
    void pathWalksFromBaseToTarget() {
        load(Fixtures.a());
        float[] a = {0, 0, 0};
        float[] t = {3, 4, 0};
        float[][] abs = new SweepSettings(hook, read, StepMode.ABSOLUTE, 0.5, 100).path(a, t);
        assertEquals(0.3f * 2, abs[2][0], 1e-6); // 2 steps of 0.5 along (0.6, 0.8)
        assertEquals(0.8f * 50, abs[100][1], 1e-4);
        float[][] rel = new SweepSettings(hook, read, StepMode.RELATIVE, 0.5, 100).path(a, t);
        assertEquals(3f, rel[100][0]);
        assertEquals(1.5f, rel[50][0]);
    }
}
