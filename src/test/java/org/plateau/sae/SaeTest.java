package org.plateau.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.plateau.Fixtures;
import org.plateau.Fixtures.Fixture;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;

/** The SAE and the synthetic activations against the float64 oracle. */
class SaeTest {

    /** The SAE of a fixture with the base and target activations of its curve. */
    record Case(Fixture f, Sae sae, float[] base, float[] target, double tol) {
        static Case of(Fixture f) {
            Sae sae = Sae.load(f.sae());
            try (Gpt2 model = Gpt2.load(f.model(), Processing.TL)) {
                HookPoint hook = HookPoint.parse(f.expected().path("hook").asText(), model.config().nLayer());
                return new Case(f, sae,
                        model.activation(Fixtures.ints(f.expected().path("sae").path("tokens")), hook),
                        model.activation(Fixtures.ints(f.expected().path("curve").path("target_tokens")), hook),
                        f.tolerance("activation_rel"));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void encodeGivesTheOraclesActiveLatentsInOrder(Fixture f) {
        Case c = Case.of(f);
        List<Latent> active = c.sae().activeLatents(c.base());
        JsonNode want = f.expected().path("sae").path("active");
        assertEquals(want.size(), active.size());
        for (int i = 0; i < active.size(); i++) {
            assertEquals(want.get(i).get(0).asInt(), active.get(i).index(), "rank " + i);
            double v = want.get(i).get(1).asDouble();
            assertEquals(v, active.get(i).value(), 1e-4 * Math.max(1, v));
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void decodeOfEncodeIsTheOraclesReconstruction(Fixture f) {
        Case c = Case.of(f);
        float[] rec = c.sae().reconstruct(c.base());
        double err = Fixtures.relativeError(rec, Fixtures.doubles(f.expected().path("sae").path("reconstruction")));
        assertTrue(err < c.tol(), "rel err " + err);
        float[] recTarget = c.sae().reconstruct(c.target());
        double errT = Fixtures.relativeError(recTarget, Fixtures.doubles(f.expected().path("sae_reconstruction_target")));
        assertTrue(errT < c.tol(), "rel err " + errT);
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void deadLatentsAndSparsityNeighbours(Fixture f) {
        Case c = Case.of(f);
        assertArrayEquals(Fixtures.ints(f.expected().path("sae").path("dead_latents")), c.sae().deadLatents());
        int top = f.expected().path("sae").path("active").get(0).get(0).asInt();
        List<Integer> near = c.sae().sparsityNeighbours(top, 10, Set.of());
        assertArrayEquals(Fixtures.ints(f.expected().path("sae").path("sparsity_neighbours_of_top")),
                near.stream().mapToInt(Integer::intValue).toArray());
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void cosinesToEveryLatentAreThePairwiseCosinesAndSurviveTheCallersEdits(Fixture f) {
        Sae sae = Case.of(f).sae();
        for (int latent : new int[] {0, sae.width() / 2, sae.width() - 1}) {
            double[] cos = sae.cosinesTo(latent);
            assertEquals(1.0, cos[latent], 1e-12, "a latent with itself");
            for (int other = 0; other < sae.width(); other++) {
                assertEquals(sae.cosine(latent, other), cos[other], 1e-12, "latent " + latent + " with " + other);
            }
            double[] again = cos.clone();
            java.util.Arrays.fill(cos, 7.0); // asked again, the answer remembered is not the edited one
            assertArrayEquals(again, sae.cosinesTo(latent));
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void structuredChoosesTheOraclesLatents(Fixture f) {
        Case c = Case.of(f);
        JsonNode want = f.expected().path("synthetic_structured");
        SyntheticActivations.Synthesis s = new SyntheticActivations(c.sae())
                .structured(c.base(), want.path("target_cos").asDouble());
        assertArrayEquals(Fixtures.ints(want.path("base_active")),
                s.baseActive().stream().mapToInt(Latent::index).toArray());
        assertArrayEquals(Fixtures.ints(want.path("chosen")), s.chosen().stream().mapToInt(Integer::intValue).toArray());
        double err = Fixtures.relativeError(s.activation(), Fixtures.doubles(want.path("activation")));
        assertTrue(err < c.tol(), "rel err " + err);
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void structuredWithoutCosineChoosesTheOraclesLatents(Fixture f) {
        Case c = Case.of(f);
        SyntheticActivations.Synthesis s = new SyntheticActivations(c.sae()).structuredNoCos(c.base());
        JsonNode want = f.expected().path("synthetic_structured_no_cos");
        assertArrayEquals(Fixtures.ints(want.path("chosen")), s.chosen().stream().mapToInt(Integer::intValue).toArray());
        double err = Fixtures.relativeError(s.activation(), Fixtures.doubles(want.path("activation")));
        assertTrue(err < c.tol(), "rel err " + err);
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void randomAndBaselineKeepValuesUseLiveLatentsAndNeverRepeat(Fixture f) {
        Case c = Case.of(f);
        Sae sae = c.sae();
        SyntheticActivations synth = new SyntheticActivations(sae);
        Well19937c rng = new Well19937c(7);
        for (int trial = 0; trial < 20; trial++) {
            for (SyntheticActivations.Synthesis s : List.of(synth.random(c.base(), rng), synth.baseline(c.base(), rng))) {
                assertEquals(s.baseActive().size(), s.chosen().size());
                assertEquals(s.chosen().size(), Set.copyOf(s.chosen()).size(), "repeated latent");
                for (int i = 0; i < s.chosen().size(); i++) {
                    assertFalse(sae.isDead(s.chosen().get(i)), "dead latent chosen");
                    assertEquals(s.baseActive().get(i).value(), s.latents().get(i).value());
                }
            }
        }
        // the strongest latent's replacement is one of its ten sparsity neighbours
        SyntheticActivations.Synthesis s = synth.baseline(c.base(), rng);
        int top = s.baseActive().get(0).index();
        assertTrue(sae.sparsityNeighbours(top, 10, Set.of()).contains(s.chosen().get(0)));
        // and the same generator state gives the same synthesis
        assertEquals(synth.random(c.base(), new Well19937c(3)).chosen(), synth.random(c.base(), new Well19937c(3)).chosen());
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void latentPropertiesMatchTheOracle(Fixture f) {
        Case c = Case.of(f);
        LatentProperties p = LatentProperties.of(c.sae(), c.sae().activeLatents(c.base()));
        JsonNode want = f.expected().path("sae").path("properties");
        assertEquals(want.path("n_active").asInt(), p.activeCount());
        assertArrayEquals(Fixtures.doubles(want.path("shares")), p.shares(), 1e-5);
        assertEquals(want.path("top_share").asDouble(), p.topShare(), 1e-5);
        assertEquals(want.path("mean_pairwise_cos").asDouble(), p.meanPairwiseCos(), 1e-5);
        assertEquals(want.path("mean_cos_to_top").asDouble(), p.meanCosToTop(), 1e-5);
    }
}
