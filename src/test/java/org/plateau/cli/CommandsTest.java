package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.plateau.Fixtures;
import org.plateau.Fixtures.Fixture;

/** The commands the acceptance checks call, against the oracle. */
class CommandsTest {

    static String tokens(JsonNode ids) {
        StringBuilder b = new StringBuilder();
        for (JsonNode id : ids) {
            b.append(b.length() == 0 ? "" : ",").append(id.asInt());
        }
        return b.toString();
    }

    /**
     * L2(n) = ‖post(n) − post(0)‖ against the oracle's. Both activations have a norm of about
     * ‖post(0)‖ and come out of float32 products, so L2's error is a few roundings of that norm
     * (2^-24 of it each) whatever L2 is. Near step 0, where L2 is a thousandth of the norm, the
     * oracle's relative tolerance on L2 itself would ask for less than one rounding, which only the
     * order of a matrix library's sums decides. So: activation_rel of L2, plus 16 roundings of ‖post(0)‖.
     */
    static void assertL2(Fixture f, double want, double got, double readNorm, String what) {
        assertEquals(want, got, f.tolerance("activation_rel") * want + 0x1p-20 * readNorm, what);
    }

    /** ‖post(0)‖ at a curve's read hook (the last block's output, as in the fixtures). */
    static double readNorm(Fixture f, JsonNode baseTokens, JsonNode curve) {
        JsonNode fwd = CliRun.of("forward", "--model", f.model().toString(), "--tokens", tokens(baseTokens)).json();
        int last = fwd.path("resid_pre_last").size() - 1;
        assertEquals("blocks." + last + ".hook_resid_post", curve.path("read").asText());
        double sum = 0;
        for (double x : Fixtures.doubles(fwd.path("resid_post_last"))) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void forwardPrintsTheOraclesActivationsAndLogProbs(Fixture f) {
        for (JsonNode e : f.expected().path("forward")) {
            JsonNode out = CliRun.of("forward", "--model", f.model().toString(), "--tokens", tokens(e.path("tokens")),
                    "--processing", e.path("processing").asText()).json();
            JsonNode pre = out.path("resid_pre_last");
            assertEquals(e.path("resid_pre_last").size(), pre.size(), "one vector per layer");
            for (int i = 0; i < pre.size(); i++) {
                assertTrue(Fixtures.relativeError(Fixtures.doubles(pre.get(i)),
                        Fixtures.doubles(e.path("resid_pre_last").get(i))) < f.tolerance("activation_rel"));
            }
            assertTrue(Fixtures.relativeError(Fixtures.doubles(out.path("resid_post_last")),
                    Fixtures.doubles(e.path("resid_post_last"))) < f.tolerance("activation_rel"));
            JsonNode top = out.path("log_probs_last_top5");
            for (int k = 0; k < 5; k++) {
                assertEquals(e.path("log_probs_last_top5").get(k).get(0).asInt(), top.get(k).get(0).asInt());
                assertEquals(e.path("log_probs_last_top5").get(k).get(1).asDouble(), top.get(k).get(1).asDouble(), 1e-4);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void encodeAndSynth(Fixture f) {
        String base = tokens(f.expected().path("sae").path("tokens"));
        JsonNode enc = CliRun.of("encode", "--model", f.model().toString(), "--sae", f.sae().toString(),
                "--tokens", base).json();
        JsonNode want = f.expected().path("sae").path("active");
        assertEquals(want.size(), enc.path("active").size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).get(0).asInt(), enc.path("active").get(i).get(0).asInt());
        }
        assertTrue(Fixtures.relativeError(Fixtures.doubles(enc.path("reconstruction")),
                Fixtures.doubles(f.expected().path("sae").path("reconstruction"))) < f.tolerance("activation_rel"));

        for (String[] m : new String[][] {{"structured", "synthetic_structured"}, {"structured-no-cos", "synthetic_structured_no_cos"}}) {
            JsonNode s = CliRun.of("synth", "--model", f.model().toString(), "--sae", f.sae().toString(),
                    "--tokens", base, "--method", m[0]).json();
            JsonNode w = f.expected().path(m[1]);
            assertArrayEquals(Fixtures.ints(w.path("chosen")), Fixtures.ints(s.path("chosen")), m[0]);
            assertTrue(Fixtures.relativeError(Fixtures.doubles(s.path("activation")), Fixtures.doubles(w.path("activation")))
                    < f.tolerance("activation_rel"), m[0]);
        }
        for (String method : new String[] {"baseline", "random"}) {
            JsonNode s1 = CliRun.of("synth", "--model", f.model().toString(), "--sae", f.sae().toString(),
                    "--tokens", base, "--method", method, "--seed", "5").json();
            JsonNode s2 = CliRun.of("synth", "--model", f.model().toString(), "--sae", f.sae().toString(),
                    "--tokens", base, "--method", method, "--seed", "5").json();
            assertEquals(s1, s2, method + ": same seed, same synthesis");
            assertEquals(want.size(), s1.path("chosen").size());
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void cooccurrenceSynthesisMatchesTheOraclesCase(Fixture f, @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        JsonNode w = f.expected().path("synthetic_cooccurrence");
        org.junit.jupiter.api.Assumptions.assumeTrue(w.isObject(), f + " predates synthetic-cooccurrence");
        StringBuilder rows = new StringBuilder();
        for (JsonNode p : w.path("stats_prompts")) {
            rows.append("{\"input_ids\": ").append(p).append("}\n");
        }
        java.nio.file.Path file = tmp.resolve("stats.jsonl");
        java.nio.file.Files.writeString(file, rows);
        JsonNode s = CliRun.of("synth", "--model", f.model().toString(), "--sae", f.sae().toString(),
                "--tokens", tokens(f.expected().path("sae").path("tokens")), "--method", "cooccurrence",
                "--stats-prompts", file.toString(), "--target-cos", w.path("target_cos").asText()).json();
        assertArrayEquals(Fixtures.ints(w.path("chosen")), Fixtures.ints(s.path("chosen")), "chosen");
        assertArrayEquals(Fixtures.ints(w.path("pool_sizes")), Fixtures.ints(s.path("pool_sizes")), "pool sizes");
        assertTrue(Fixtures.relativeError(Fixtures.doubles(s.path("activation")), Fixtures.doubles(w.path("activation")))
                < f.tolerance("activation_rel"), "activation");
        // the structured synthesis of the same base differs: the restriction to co-firing latents chose otherwise
        assertNotEquals(f.expected().path("synthetic_structured").path("chosen"), s.path("chosen"));
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void ablatingTheTopLatentMatchesTheOraclesCase(Fixture f) {
        JsonNode w = f.expected().path("ablate_top_latent");
        org.junit.jupiter.api.Assumptions.assumeTrue(w.isObject(), f + " predates ablate-latent");
        String[] args = {"curve", "--model", f.model().toString(), "--sae", f.sae().toString(), "--tokens",
            tokens(w.path("tokens")), "--target", "ablate-latent", "--mode", w.path("mode").asText()};
        JsonNode out = CliRun.of(args).json();
        assertEquals(w.path("latent").asInt(), out.path("latent").asInt(), "the base's strongest latent");
        double[] l2 = Fixtures.doubles(out.path("l2"));
        double[] kl = Fixtures.doubles(out.path("kl"));
        double[] wl2 = Fixtures.doubles(w.path("l2"));
        double[] wkl = Fixtures.doubles(w.path("kl"));
        double norm = readNorm(f, w.path("tokens"), out);
        for (int n = 1; n <= 100; n++) {
            assertL2(f, wl2[n], l2[n], norm, "L2 " + n);
            double diff = Math.abs(kl[n] - wkl[n]);
            assertTrue(diff <= f.tolerance("kl_abs") || diff <= f.tolerance("kl_rel") * wkl[n], "KL " + n);
        }
        assertEquals(w.path("ms_l2").asInt(), out.path("ms_l2").asInt());
        // naming the latent gives the same sweep; a latent the base does not use is refused
        assertEquals(out.path("l2"), CliRun.of(concat(args, "--latent", w.path("latent").asText())).json().path("l2"));
        CliRun.of(concat(args, "--latent", "0")).assertRefused("not active in the base");
        CliRun.of("curve", "--model", f.model().toString(), "--tokens", tokens(w.path("tokens")), "--target", "random",
                "--latent", "3").assertRefused("--latent applies to --target ablate-latent only");
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void curveMatchesTheOracleInBothModes(Fixture f) {
        JsonNode c = f.expected().path("curve");
        for (String mode : new String[] {"absolute", "relative"}) {
            JsonNode want = c.path(mode);
            JsonNode out = CliRun.of("curve", "--model", f.model().toString(), "--tokens", tokens(c.path("base_tokens")),
                    "--target", "model-generated", "--target-tokens", tokens(c.path("target_tokens")),
                    "--mode", mode, "--step-size", c.path("step_size").asText(),
                    "--ap-threshold", want.path("ap_threshold").asText()).json();
            double[] l2 = Fixtures.doubles(out.path("l2"));
            double[] kl = Fixtures.doubles(out.path("kl"));
            assertEquals(101, l2.length);
            assertEquals(101, kl.length);
            double[] wl2 = Fixtures.doubles(want.path("l2"));
            double[] wkl = Fixtures.doubles(want.path("kl"));
            double norm = readNorm(f, c.path("base_tokens"), out);
            for (int n = 1; n <= 100; n++) {
                assertL2(f, wl2[n], l2[n], norm, mode + " L2 " + n);
                double diff = Math.abs(kl[n] - wkl[n]);
                assertTrue(diff <= f.tolerance("kl_abs") || diff <= f.tolerance("kl_rel") * wkl[n], mode + " KL " + n);
            }
            for (String metric : new String[] {"ms_l2", "ms_kl", "auc_l2", "nl_l2", "ap_l2"}) {
                assertEquals(want.path(metric).asInt(), out.path(metric).asInt(), mode + " " + metric);
            }
            assertEquals(c.path("distance").asDouble(), out.path("distance").asDouble(), 1e-4 * c.path("distance").asDouble());
        }
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void everyTargetTypeRunsAndTheSameSeedGivesTheSameCurve(Fixture f) {
        String base = tokens(f.expected().path("curve").path("base_tokens"));
        for (String type : new String[] {"model-generated", "random", "synthetic-random", "synthetic-baseline",
                "synthetic-structured", "synthetic-structured-no-cos", "sae-reconstruction"}) {
            String[] args = {"curve", "--model", f.model().toString(), "--sae", f.sae().toString(), "--tokens", base,
                    "--target", type, "--seed", "11", "--stats-activations", "500"};
            JsonNode a = CliRun.of(args).json();
            JsonNode b = CliRun.of(args).json();
            assertEquals(a, b, type + ": same seed, same result");
            assertEquals(101, a.path("l2").size(), type);
            assertEquals(type, a.path("target").asText());
            double[] l2 = Fixtures.doubles(a.path("l2"));
            assertEquals(0.0, l2[0]);
            assertTrue(l2[100] > 0, type + " moves the read-out");
        }
        String[] other = {"curve", "--model", f.model().toString(), "--tokens", base, "--target", "model-generated"};
        assertNotEquals(CliRun.of(concat(other, "--seed", "1")).json().path("target_tokens"),
                CliRun.of(concat(other, "--seed", "2")).json().path("target_tokens"), "different seeds, different draws");
    }

    @Test
    void targetCosineCanBeMeasuredOnTheModel() {
        Fixture f = Fixtures.a();
        String base = tokens(f.expected().path("sae").path("tokens"));
        JsonNode s = CliRun.of("synth", "--model", f.model().toString(), "--sae", f.sae().toString(), "--tokens", base,
                "--method", "structured", "--target-cos", "measure").json();
        double c = s.path("target_cos").asDouble();
        assertTrue(c > -1 && c < 1 && c != 0.42, "measured: " + c);
        // the measured value is what the synthesis then used
        JsonNode fixed = CliRun.of("synth", "--model", f.model().toString(), "--sae", f.sae().toString(),
                "--tokens", base, "--method", "structured", "--target-cos", Double.toString(c)).json();
        assertEquals(fixed.path("chosen"), s.path("chosen"), "measure is the same as passing its value");
        CliRun.of("synth", "--model", f.model().toString(), "--sae", f.sae().toString(), "--tokens", base,
                "--method", "structured", "--target-cos", "often").assertRefused("or 'measure'");
    }

    @Test
    void helpListsTheCommands() {
        CliRun r = CliRun.of("help");
        assertEquals(0, r.exitCode());
        for (String c : new String[] {"forward", "encode", "synth", "curve", "bench"}) {
            assertTrue(r.out().contains(c), c);
        }
        assertTrue(CliRun.of("help", "curve").out().contains("--target"));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
