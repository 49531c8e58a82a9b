package org.plateau.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.TestModels;
import org.plateau.data.Datasets;
import org.plateau.perturbation.PromptSource;
import org.plateau.experiment.Lab;
import org.plateau.experiment.LabLoader;
import org.plateau.experiment.ModelCheck;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.Seeds;
import org.plateau.reference.ReferenceGpt2;
import org.plateau.reference.ReferenceSae;

/** The model check: GPT-2's published output, through a local hub, and the SAE's health. */
class ModelCheckTest {

    static final String COMMIT = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";

    @TempDir
    Path tmp;

    /** A cache of its own: what a check remembers must start empty. */
    @org.junit.jupiter.api.BeforeEach
    void ownCache() {
        System.setProperty("plateau.cache", tmp.resolve("plateau-cache").toString());
    }

    @org.junit.jupiter.api.AfterEach
    void sharedCache() {
        System.clearProperty("plateau.cache");
    }

    Lab fromHub(HubServer server, String name) {
        HubClient hub = new HubClient(new HubSettings(server.url(), tmp.resolve("hf"), null, false, server.url()));
        return LabLoader.open(new LabLoader.Request(name, null, Processing.TL, Device.cpu()), hub, DownloadListener.NONE);
    }

    @Test
    void aModelThatComputesThePublishedOutputPasses() throws Exception {
        Path model = TestModels.following(tmp.resolve("lookalike"), TestModels.PUBLISHED_GPT2);
        // the model is what the test says it is: the independent reference decodes the published tokens
        for (boolean tl : new boolean[] {true, false}) {
            assertArrayEquals(TestModels.PUBLISHED_GPT2,
                    ReferenceGpt2.load(model, tl).greedy(new int[] {464, 3290}, 18), "reference, tl " + tl);
        }
        try (HubServer server = new HubServer().repo("openai-community/gpt2", COMMIT, model, "");
                Lab lab = fromHub(server, "gpt2")) {
            assertTrue(LabLoader.checksAutomatically(lab), "a hub model is checked");
            HookPoint hook = HookPoint.residPre(1);
            assertNull(LabLoader.remembered(lab, hook));
            ModelCheck c = LabLoader.check(lab, hook);
            assertEquals(ModelCheck.PASSED, c.verdict(), c.summary());
            assertEquals(List.of("tl", "raw"), List.copyOf(c.greedy().keySet()));
            for (List<Integer> seq : c.greedy().values()) {
                assertArrayEquals(TestModels.PUBLISHED_GPT2, seq.stream().mapToInt(Integer::intValue).toArray());
            }
            assertTrue(c.summary().contains("computes GPT-2 small's published output"), c.summary());
            assertNotNull(LabLoader.remembered(lab, hook), "remembered under the weights' SHA-256");
            assertEquals(c, LabLoader.check(lab, hook), "not repeated: the remembered check");
        }
    }

    @Test
    void aModelThatDoesNotFailsAndSaysWhere() throws Exception {
        int[] wrong = TestModels.PUBLISHED_GPT2.clone();
        wrong[7] = 2688; // the eighth token differs from GPT-2's
        Path model = TestModels.following(tmp.resolve("impostor"), wrong);
        assertArrayEquals(wrong, ReferenceGpt2.load(model, true).greedy(new int[] {464, 3290}, 18));
        try (HubServer server = new HubServer().repo("openai-community/gpt2", COMMIT, model, "");
                Lab lab = fromHub(server, "openai-community/gpt2")) {
            ModelCheck c = LabLoader.check(lab, HookPoint.residPre(1));
            assertEquals(ModelCheck.FAILED, c.verdict());
            assertTrue(c.warns());
            assertTrue(c.summary().contains("does not compute GPT-2 small's published output"), c.summary());
            assertTrue(c.summary().contains("tl processing gives token 2688 where the published output has 1474 (token 8)"),
                    c.summary());
        }
    }

    @Test
    void aFolderHasNoPublishedReference() {
        try (Lab lab = Lab.open(Fixtures.tinyA().resolve("model"), null, Processing.TL, Device.cpu())) {
            assertTrue(!LabLoader.checksAutomatically(lab));
            ModelCheck c = LabLoader.checkNow(lab, HookPoint.residPre(1), null);
            assertEquals(ModelCheck.NO_REFERENCE, c.verdict());
            assertTrue(c.greedy().isEmpty());
        }
    }

    /** Mean L0 and variance explained as the float64 reference computes them on the same prompts. */
    @Test
    void saeHealthMatchesTheReference() throws Exception {
        Path model = Fixtures.tinyA().resolve("model");
        Path saeDir = Fixtures.tinyA().resolve("sae");
        try (Lab lab = Lab.open(model, saeDir, Processing.TL, Device.cpu())) {
            ModelCheck.SaeHealth h = LabLoader.checkNow(lab, HookPoint.residPre(1), null).sae();
            assertEquals("blocks.1.hook_resid_pre", h.measuredAt());
            // the oracle's random SAE reconstructs its random model's activations poorly, and is told so
            assertEquals(h.varianceExplained() < 0.5 ? 1 : 0, h.warnings().size(), h.warnings().toString());
            assertEquals(21, h.deadLatents(), "the oracle's dead latents");

            PromptSource prompts = Datasets.defaultFor(lab.model().config(), 10);
            RandomGenerator rng = Seeds.stream(0, "model-check");
            ReferenceGpt2 ref = ReferenceGpt2.load(model, true);
            ReferenceSae sae = ReferenceSae.load(saeDir);
            List<double[]> acts = new ArrayList<>();
            for (int i = 0; i < h.prompts(); i++) {
                acts.add(ref.run(prompts.draw(rng)).last(1));
            }
            double[] mean = new double[64];
            acts.forEach(x -> {
                for (int i = 0; i < 64; i++) {
                    mean[i] += x[i] / acts.size();
                }
            });
            double l0 = 0;
            double residual = 0;
            double total = 0;
            for (double[] x : acts) {
                var code = sae.encode(x);
                l0 += code.size();
                double[] xHat = sae.decode(code);
                for (int i = 0; i < 64; i++) {
                    residual += (x[i] - xHat[i]) * (x[i] - xHat[i]);
                    total += (x[i] - mean[i]) * (x[i] - mean[i]);
                }
            }
            assertEquals(l0 / acts.size(), h.meanL0(), 0.05, "mean L0");
            assertEquals(1 - residual / total, h.varianceExplained(), 1e-4, "variance explained");
        }
    }

    @Test
    void anSaeOfAnotherHookIsAWarning() {
        Path model = Fixtures.tinyA().resolve("model");
        try (Lab lab = Lab.open(model, Fixtures.tinyA().resolve("sae"), Processing.TL, Device.cpu())) {
            ModelCheck c = LabLoader.checkNow(lab, HookPoint.residPre(2), null);
            assertTrue(c.warns());
            assertTrue(c.sae().warnings().get(0).contains("trained at blocks.1.hook_resid_pre but activations are"
                    + " perturbed at blocks.2.hook_resid_pre"), c.sae().warnings().toString());
            assertEquals("blocks.1.hook_resid_pre", c.sae().measuredAt(), "measured where it was trained");
        }
    }
}
