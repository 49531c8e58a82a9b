package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.plateau.Fixtures;
import org.plateau.io.Json;
import org.plateau.reference.ReferenceGpt2;
import org.plateau.reference.ReferenceModels;
import org.plateau.reference.ReferenceModels.Model;
import org.plateau.reference.ReferenceSae;
import org.plateau.reference.ReferenceSweeps;

/**
 * The commands against the project's own float64 reference (plain Java, test tree) on shapes the
 * oracle's fixture lacks, GPT-2 small's block shape among them.
 */
class ReferenceCommandsTest {

    static List<Model> models() {
        return ReferenceModels.all();
    }

    static int[] prompt(Model m, long seed) {
        return new SplittableRandom(seed).ints(10, 0, m.config().vocabSize()).toArray();
    }

    static String ids(int[] tokens) {
        StringBuilder b = new StringBuilder();
        for (int t : tokens) {
            b.append(b.length() == 0 ? "" : ",").append(t);
        }
        return b.toString();
    }

    /** ‖a − b‖ / ‖b‖ */
    static double rel(double[] a, double[] b) {
        return Fixtures.relativeError(a, b);
    }

    @ParameterizedTest
    @MethodSource("models")
    void forwardMatchesTheReferenceAndLogProbsDoNotDependOnProcessing(Model m) throws Exception {
        int[] tokens = prompt(m, 1);
        Map<String, double[]> logProbs = new LinkedHashMap<>();
        Map<String, JsonNode> printed = new LinkedHashMap<>();
        for (String processing : new String[] {"tl", "raw"}) {
            ReferenceGpt2.Prompt ref = ReferenceGpt2.load(m.model(), processing.equals("tl")).run(tokens);
            JsonNode out = CliRun.of("forward", "--model", m.model().toString(), "--tokens", ids(tokens),
                    "--processing", processing).json();
            for (int layer = 0; layer < m.config().nLayer(); layer++) {
                double err = rel(Fixtures.doubles(out.path("resid_pre_last").get(layer)), ref.last(layer));
                assertTrue(err < 1e-4, m + " " + processing + " resid_pre " + layer + ": " + err);
            }
            double post = rel(Fixtures.doubles(out.path("resid_post_last")), ref.last(m.config().nLayer()));
            assertTrue(post < 1e-4, m + " " + processing + " resid_post: " + post);
            double[] lp = ref.logProbs();
            for (JsonNode top : out.path("log_probs_last_top5")) {
                int t = top.get(0).asInt();
                assertEquals(lp[t], top.get(1).asDouble(), 1e-4 * Math.max(1, Math.abs(lp[t])), m + " log-prob of " + t);
            }
            assertEquals(argmax(lp), out.path("log_probs_last_top5").get(0).get(0).asInt(), m + " the next token");
            logProbs.put(processing, lp);
            printed.put(processing, out.path("log_probs_last_top5"));
        }
        // METHOD §1: the unembedding is the uncentred wte under both processings, so log-probs agree
        // (up to the float32 rounding of the centred weights)
        double[] tl = logProbs.get("tl");
        double[] raw = logProbs.get("raw");
        for (int v = 0; v < tl.length; v++) {
            assertEquals(raw[v], tl[v], 1e-5 * Math.max(1, Math.abs(raw[v])), m + " reference tl and raw log-prob of " + v);
        }
        for (int k = 0; k < 5; k++) {
            JsonNode a = printed.get("tl").get(k);
            JsonNode b = printed.get("raw").get(k);
            assertEquals(b.get(1).asDouble(), a.get(1).asDouble(), 1e-4 * Math.max(1, Math.abs(b.get(1).asDouble())),
                    m + " printed tl and raw log-prob " + k);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void curvesMatchTheReferenceInBothModes(Model m) throws Exception {
        int[] base = prompt(m, 2);
        int[] target = prompt(m, 3);
        ReferenceGpt2 ref = ReferenceGpt2.load(m.model(), true);
        ReferenceGpt2.Prompt run = ref.run(base);
        double[] a = run.last(1);
        double[] t = ref.run(target).last(1);
        double distance = Math.sqrt(sq(a, t));
        // steps that walk past the target, as the paper's 0.5 does for GPT-2's distances of about 40
        String stepSize = String.format("%.4f", 1.3 * distance / 100);
        int read = m.config().nLayer();
        for (String mode : new String[] {"absolute", "relative"}) {
            JsonNode out = CliRun.of("curve", "--model", m.model().toString(), "--tokens", ids(base),
                    "--target", "model-generated", "--target-tokens", ids(target), "--mode", mode,
                    "--step-size", stepSize, "--ap-threshold", "1").json();
            ReferenceSweeps.Curve want = ReferenceSweeps.sweep(run, 1, read, a, t, mode.equals("absolute"),
                    Double.parseDouble(stepSize), 100);
            double[] l2 = Fixtures.doubles(out.path("l2"));
            double[] kl = Fixtures.doubles(out.path("kl"));
            assertCurve(m + " " + mode, want, l2, kl);
            assertMetrics(m + " " + mode, want, l2, kl, out);
            assertEquals(distance, out.path("distance").asDouble(), 1e-5 * distance, m + " distance");
        }
    }

    /** L2 within 1e-4 of the curve's scale, KL within the oracle's tolerance (abs 1e-5 or rel 1e-3). */
    static void assertCurve(String what, ReferenceSweeps.Curve want, double[] l2, double[] kl) {
        assertEquals(want.l2().length, l2.length, what + " steps");
        double scale = java.util.Arrays.stream(want.l2()).max().orElse(1);
        for (int n = 0; n < l2.length; n++) {
            assertEquals(want.l2()[n], l2[n], 1e-4 * scale, what + " L2 at " + n);
            double diff = Math.abs(kl[n] - want.kl()[n]);
            assertTrue(diff <= 1e-5 || diff <= 1e-3 * want.kl()[n],
                    what + " KL at " + n + ": " + kl[n] + " vs " + want.kl()[n]);
        }
    }

    /**
     * The printed metrics are those of the printed curve, and of the reference curve wherever the
     * reference's own choice is not a near-tie that float32 rounding may break either way.
     */
    static void assertMetrics(String what, ReferenceSweeps.Curve want, double[] l2, double[] kl, JsonNode out) {
        assertEquals(ReferenceSweeps.maxSlope(l2), out.path("ms_l2").asInt(), what + " ms_l2 of its curve");
        assertEquals(ReferenceSweeps.maxSlope(kl), out.path("ms_kl").asInt(), what + " ms_kl of its curve");
        assertEquals(ReferenceSweeps.auc(l2), out.path("auc_l2").asInt(), what + " auc_l2 of its curve");
        assertEquals(ReferenceSweeps.nonLinearity(l2), out.path("nl_l2").asInt(), what + " nl_l2 of its curve");
        assertEquals(ReferenceSweeps.activationPlateau(l2, out.path("ap_threshold").asDouble()), out.path("ap_l2").asInt(),
                what + " ap_l2 of its curve");
        double scale = java.util.Arrays.stream(want.l2()).max().orElse(1);
        if (ReferenceSweeps.maxSlopeMargin(want.l2()) > 1e-3 * scale) {
            assertEquals(ReferenceSweeps.maxSlope(want.l2()), out.path("ms_l2").asInt(), what + " ms_l2 of the reference");
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void saeCodesAndStructuredChoicesMatchTheReference(Model m) throws Exception {
        int[] tokens = prompt(m, 4);
        double[] x = ReferenceGpt2.load(m.model(), true).run(tokens).last(1);
        ReferenceSae sae = ReferenceSae.load(m.sae());
        LinkedHashMap<Integer, Double> want = sae.encode(x);
        JsonNode enc = CliRun.of("encode", "--model", m.model().toString(), "--sae", m.sae().toString(),
                "--tokens", ids(tokens)).json();
        Map<Integer, Double> got = new LinkedHashMap<>();
        enc.path("active").forEach(l -> got.put(l.get(0).asInt(), l.get(1).asDouble()));
        double scale = want.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        // as sets with values: a latent on one side only must be at the ReLU's edge on the other
        java.util.Set<Integer> all = new java.util.TreeSet<>(want.keySet());
        all.addAll(got.keySet());
        for (int l : all) {
            assertEquals(want.getOrDefault(l, 0.0), got.getOrDefault(l, 0.0), 1e-4 * scale, m + " latent " + l);
        }
        assertTrue(rel(Fixtures.doubles(enc.path("reconstruction")), sae.decode(want)) < 1e-4, m + " reconstruction");

        for (String method : new String[] {"structured", "structured-no-cos"}) {
            JsonNode s = CliRun.of("synth", "--model", m.model().toString(), "--sae", m.sae().toString(),
                    "--tokens", ids(tokens), "--method", method).json();
            Map<Integer, Integer> pairs = sae.structured(x, 0.42, method.equals("structured"));
            int matched = 0;
            for (int i = 0; i < s.path("base_active").size(); i++) {
                int baseLatent = s.path("base_active").get(i).asInt();
                if (pairs.containsKey(baseLatent)) {
                    assertEquals(pairs.get(baseLatent), s.path("chosen").get(i).asInt(),
                            m + " " + method + ": the latent taking " + baseLatent + "'s value");
                    matched++;
                }
            }
            assertTrue(matched >= Math.min(pairs.size(), s.path("base_active").size()) - 2,
                    m + " " + method + ": " + matched + " of " + pairs.size() + " pairs compared");
        }
    }

    /** reproduce's recorded curves are the reference's for their recorded base and target prompts. */
    @Test
    void reproduceRecordsTheReferenceCurves(@TempDir Path tmp) throws Exception {
        Model m = ReferenceModels.small();
        Path out = tmp.resolve("run");
        CliRun r = CliRun.of("reproduce", "--model", m.model().toString(), "--sae", m.sae().toString(), "--out",
                out.toString(), "--n", "2", "--experiments", "sensitivity,relative", "--dataset", "random-tokens",
                "--stats-activations", "64");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode results = Json.MAPPER.readTree(out.resolve("results.json").toFile());
        ReferenceGpt2 ref = ReferenceGpt2.load(m.model(), true);
        double stepSize = results.path("settings").path("step_size").asDouble();
        int checked = 0;
        for (JsonNode p : results.path("perturbations")) {
            if (!p.path("target_type").asText().equals("model-generated")) {
                continue;
            }
            ReferenceGpt2.Prompt base = ref.run(Fixtures.ints(p.path("base_tokens")));
            double[] t = ref.run(Fixtures.ints(p.path("target_tokens"))).last(1);
            ReferenceSweeps.Curve want = ReferenceSweeps.sweep(base, 1, m.config().nLayer(), base.last(1), t,
                    p.path("mode").asText().equals("absolute"), stepSize, 100);
            assertCurve("record " + p.path("index") + " " + p.path("mode").asText(), want,
                    Fixtures.doubles(p.path("l2")), Fixtures.doubles(p.path("kl")));
            checked++;
        }
        assertEquals(4, checked, "two bases, two step modes");
    }

    static double sq(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static List<Integer> list(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int v : a) {
            out.add(v);
        }
        return out;
    }
}
