package org.plateau.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.plateau.Fixtures;
import org.plateau.Fixtures.Fixture;

/** The forward pass against the float64 oracle, in both processings and both key layouts. */
class Gpt2ForwardTest {

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void matchesOracleInBothProcessings(Fixture f) {
        double tol = f.tolerance("activation_rel");
        int checked = 0;
        for (Processing processing : Processing.values()) {
            try (Gpt2 model = Gpt2.load(f.model(), processing)) {
                for (JsonNode e : f.expected().path("forward")) {
                    if (!e.path("processing").asText().equals(processing.id())) {
                        continue;
                    }
                    Gpt2.Trace trace = model.trace(Fixtures.ints(e.path("tokens")));
                    JsonNode pre = e.path("resid_pre_last");
                    assertEquals(model.config().nLayer(), pre.size());
                    for (int layer = 0; layer < pre.size(); layer++) {
                        double err = Fixtures.relativeError(trace.resid()[layer], Fixtures.doubles(pre.get(layer)));
                        assertTrue(err < tol, processing + " resid_pre " + layer + " rel err " + err);
                    }
                    double errPost = Fixtures.relativeError(trace.resid()[pre.size()],
                            Fixtures.doubles(e.path("resid_post_last")));
                    assertTrue(errPost < tol, processing + " resid_post rel err " + errPost);
                    for (JsonNode top : e.path("log_probs_last_top5")) {
                        int token = top.get(0).asInt();
                        double lp = top.get(1).asDouble();
                        assertEquals(lp, trace.logProbs()[token], 1e-4 * Math.max(1, Math.abs(lp)),
                                processing + " log-prob of " + token);
                    }
                    double total = 0;
                    for (float lp : trace.logProbs()) {
                        total += Math.exp(lp);
                    }
                    assertEquals(e.path("log_probs_last_sum_check").asDouble(), total, 1e-5);
                    checked++;
                }
            }
        }
        assertEquals(f.expected().path("forward").size(), checked);
        assertTrue(checked >= 6);
    }

    @ParameterizedTest
    @MethodSource("org.plateau.Fixtures#all")
    void tlActivationsAreOrthogonalToTheAllOnesVector(Fixture f) {
        try (Gpt2 model = Gpt2.load(f.model(), Processing.TL)) {
            Gpt2.Trace trace = model.trace(Fixtures.ints(f.expected().path("prompts").get(3)));
            for (float[] x : trace.resid()) {
                double sum = 0;
                double norm = 0;
                for (float v : x) {
                    sum += v;
                    norm += v * v;
                }
                assertEquals(0, sum / Math.sqrt(norm * x.length), 1e-5, "centred residual stream");
            }
        }
    }
}
