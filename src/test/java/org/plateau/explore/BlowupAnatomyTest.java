package org.plateau.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.cli.Cli;
import org.plateau.data.Datasets;
import org.plateau.experiment.Lab;
import org.plateau.experiment.LoadedSae;
import org.plateau.io.Json;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.Seeds;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;
import org.plateau.sae.RandomSaeFiles;
import org.plateau.sae.Sae;

/** The anatomy of a blow-up: the read layer through a second SAE, and the base's latents ablated one by one. */
class BlowupAnatomyTest {

    static final int[] BASE = ExplorerTest.BASE;
    static final HookPoint READ = HookPoint.residPost(3);

    @TempDir
    static Path tmp;
    static Path readSaeDir;
    static Lab lab;

    @BeforeAll
    static void open() {
        lab = Lab.open(Fixtures.tinyA().resolve("model"), Fixtures.tinyA().resolve("sae"), Processing.TL, Device.cpu());
        // a read-layer SAE for the fixture model, made from its own activations at the read hook
        var prompts = Datasets.open(Datasets.SAMPLE_PROMPTS, lab.model().config(), 10).prompts();
        var rng = Seeds.stream(0, "read-sae");
        List<int[]> drawn = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            drawn.add(prompts.draw(rng));
        }
        readSaeDir = RandomSaeFiles.fromActivations(tmp.resolve("read-sae"), lab.model().activations(drawn, READ), 192,
                0.06, 9, READ.name(), "");
        Sae sae = Sae.load(readSaeDir);
        lab.useReadSae(new LoadedSae(sae, readSaeDir, readSaeDir.toString(), null));
    }

    @AfterAll
    static void close() {
        lab.close();
    }

    static float[] readDirectly(Perturbation p, int n) {
        return DirectReads.at(lab.model(), p, n);
    }

    @Test
    void theStripAndTheSwitchesAreTheReadActivationsEncoded() {
        try (Explorer ex = new Explorer(lab)) {
            Perturbation p = ex.run(new ExploreRequest(BASE, TargetType.RANDOM, null, StepMode.ABSOLUTE, 3,
                    ExplorerTest.settings(0.5, 100)), null);
            int ms = p.metric(Metric.MS_L2);
            ReadLayerView v = ex.readLayer(p, ms, 12);
            assertEquals(READ.name(), v.hook());
            assertEquals(ms, v.ms());
            Sae sae = lab.readSae().sae();
            double scale = 0;
            for (double[] row : v.strip().values()) {
                for (double z : row) {
                    scale = Math.max(scale, z);
                }
            }
            assertTrue(v.strip().latents().length > 2, "a strip of several latents");
            for (int n = 0; n <= 100; n += 5) {
                double[] z = sae.encode(readDirectly(p, n));
                for (int r = 0; r < v.strip().latents().length; r++) {
                    assertEquals(z[v.strip().latents()[r]], v.strip().values()[r][n], 1e-3 * scale,
                            "latent " + v.strip().latents()[r] + " at step " + n);
                }
            }
            double[] before = sae.encode(readDirectly(p, Math.max(0, ms - 1)));
            double[] after = sae.encode(readDirectly(p, Math.min(100, ms + 1)));
            assertFalse(v.aroundMs().isEmpty(), "something changes across the blow-up");
            for (ReadLayerView.Change c : v.aroundMs()) {
                assertEquals(before[c.latent()], c.before(), 1e-3 * scale, "before, latent " + c.latent());
                assertEquals(after[c.latent()], c.after(), 1e-3 * scale, "after, latent " + c.latent());
                switch (c.kind()) {
                    case ON -> assertTrue(c.before() == 0 && c.after() > 0);
                    case OFF -> assertTrue(c.before() > 0 && c.after() == 0);
                    case CHANGED -> assertTrue(c.before() > 0 && c.after() > 0);
                }
            }
            // step 0 is the unperturbed run
            double[] zero = sae.encode(readDirectly(p, 0));
            assertEquals(Sae.active(zero).get(0).index(), v.unperturbed().get(0).latent());
        }
    }

    @Test
    void eachAblationIsWhatCurveGivesAtTheEndOfItsRelativeSweep() throws Exception {
        try (Explorer ex = new Explorer(lab)) {
            ExploreRequest r = new ExploreRequest(BASE, TargetType.MODEL_GENERATED, ExplorerTest.TARGET,
                    StepMode.RELATIVE, 1, ExplorerTest.settings(0.5, 100));
            List<Ablation> all = ex.ablations(r);
            assertEquals(lab.sae().activeLatents(lab.model().activation(BASE, HookPoint.residPre(1))).size(), all.size(),
                    "one per active latent");
            for (int k = 1; k < all.size(); k++) {
                assertTrue(all.get(k - 1).l2() >= all.get(k).l2(), "largest L2 first");
            }
            for (Ablation a : List.of(all.get(0), all.get(all.size() / 2), all.get(all.size() - 1))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int code = new Cli().run(new String[] {"curve", "--model", Fixtures.tinyA().resolve("model").toString(),
                    "--sae", Fixtures.tinyA().resolve("sae").toString(), "--tokens", "121,286,364,442,423,64,435,455,60,370",
                    "--target", "ablate-latent", "--latent", Integer.toString(a.latent()), "--mode", "relative"},
                        new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
                assertEquals(0, code);
                JsonNode c = Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
                double l2 = c.path("l2").get(100).asDouble();
                double kl = c.path("kl").get(100).asDouble();
                assertEquals(l2, a.l2(), 1e-4 * Math.max(1, l2), "L2 of ablating " + a.latent());
                assertEquals(kl, a.kl(), Math.max(1e-6, 1e-3 * kl), "KL of ablating " + a.latent());
                assertEquals(c.path("latent_value").asDouble(), a.value(), 1e-9);
            }
            // and the sweep toward an ablation opens from the same request
            Perturbation p = ex.run(r.ablating(all.get(0).latent()), null);
            assertEquals(TargetType.ABLATE_LATENT, p.targetType());
            assertEquals(all.get(0).l2(), p.curve().l2()[100], 1e-4 * Math.max(1, all.get(0).l2()));
            assertEquals(1, ex.prefills(), "ablations and their sweep share the base's prefix");
        }
    }
}
