package org.plateau.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.plateau.PlateauException;
import org.plateau.reference.ReferenceSae;

/** Every SAE kind SAELens writes, against the float64 reference of SAELens' encode and decode. */
class SaeKindsTest {

    @TempDir
    Path tmp;

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("standard", "\"architecture\": \"standard\"", null, new String[] {"b_enc"}),
                Arguments.of("standard, old layout", "\"hook_point\": \"blocks.2.hook_resid_pre\","
                        + " \"activation_fn_str\": \"relu\", \"normalize_activations\": false", null, new String[] {"b_enc"}),
                Arguments.of("standard, no b_dec on input", "\"architecture\": \"standard\", \"apply_b_dec_to_input\": false",
                        null, new String[] {"b_enc"}),
                Arguments.of("standard, constant_norm_rescale", "\"architecture\": \"standard\","
                        + " \"normalize_activations\": \"constant_norm_rescale\"", null, new String[] {"b_enc"}),
                Arguments.of("standard, layer_norm", "\"architecture\": \"standard\", \"normalize_activations\": \"layer_norm\"",
                        null, new String[] {"b_enc"}),
                Arguments.of("standard, expected_average_only_in folded", "\"architecture\": \"standard\","
                        + " \"normalize_activations\": \"expected_average_only_in\"", 1.7, new String[] {"b_enc"}),
                Arguments.of("standard, expected_average_only_in without a factor", "\"architecture\": \"standard\","
                        + " \"normalize_activations\": \"expected_average_only_in\"", null, new String[] {"b_enc"}),
                Arguments.of("topk", "\"architecture\": \"topk\", \"k\": 7", null, new String[] {"b_enc"}),
                Arguments.of("topk, rescaled by decoder norm", "\"architecture\": \"topk\", \"k\": 7,"
                        + " \"rescale_acts_by_decoder_norm\": true", null, new String[] {"b_enc"}),
                Arguments.of("topk, rescaled and folded", "\"architecture\": \"topk\", \"k\": 7,"
                        + " \"rescale_acts_by_decoder_norm\": true, \"normalize_activations\": \"expected_average_only_in\"",
                        0.6, new String[] {"b_enc"}),
                Arguments.of("topk, old layout", "\"activation_fn_str\": \"topk\", \"activation_fn_kwargs\": {\"k\": 5}",
                        null, new String[] {"b_enc"}),
                Arguments.of("topk, layer_norm", "\"architecture\": \"topk\", \"k\": 9, \"normalize_activations\": \"layer_norm\"",
                        null, new String[] {"b_enc"}),
                Arguments.of("jumprelu", "\"architecture\": \"jumprelu\"", null, new String[] {"b_enc", "threshold"}),
                Arguments.of("gated", "\"architecture\": \"gated\"", null, new String[] {"b_gate", "r_mag", "b_mag"}),
                Arguments.of("gated, constant_norm_rescale", "\"architecture\": \"gated\","
                        + " \"normalize_activations\": \"constant_norm_rescale\"", null, new String[] {"b_gate", "r_mag", "b_mag"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void encodeAndDecodeMatchTheReference(String name, String cfg, Double factor, String[] tensors) throws IOException {
        Path dir = SaeKindFiles.write(tmp.resolve("sae"), cfg, name.hashCode(), tensors);
        Sae sae = Sae.load(dir, factor);
        ReferenceSae ref = ReferenceSae.load(dir, factor);
        SplittableRandom rng = new SplittableRandom(7);
        int fired = 0;
        List<float[]> xs = new java.util.ArrayList<>();
        List<double[]> codes = new java.util.ArrayList<>();
        for (int n = 0; n < 25; n++) {
            float[] x = SaeKindFiles.activation(rng);
            xs.add(x);
            double[] xd = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                xd[i] = x[i];
            }
            double[] z = sae.encode(x);
            codes.add(z);
            double[] want = ref.code(xd);
            for (int j = 0; j < want.length; j++) {
                assertEquals(want[j], z[j], 1e-9 * (1 + Math.abs(want[j])), name + ": latent " + j + " of activation " + n);
                fired += z[j] > 0 ? 1 : 0;
            }
            LinkedHashMap<Integer, Double> code = ref.encode(xd);
            List<Latent> active = Sae.active(z);
            assertEquals(List.copyOf(code.keySet()), active.stream().map(Latent::index).toList(), name + ": order");
            double[] rec = ref.decode(code, xd);
            float[] got = sae.reconstruct(x);
            for (int i = 0; i < rec.length; i++) {
                assertEquals(rec[i], got[i], 1e-5 * (1 + Math.abs(rec[i])), name + ": reconstruction " + i);
            }
        }
        // all of them in one pass, by an SAE that remembers none of them: the same codes, bit for bit
        List<double[]> together = Sae.load(dir, factor).encode(xs);
        for (int n = 0; n < xs.size(); n++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(codes.get(n), together.get(n), name + ": activation " + n + " encoded with others");
        }
        // the batch encoder, its W_enc cut into blocks of 10 latents and its activations into passes of 4
        // (neither a divisor of the sizes), gives the same codes to float64 rounding, and the same active sets
        for (Sae.BatchEncoder encoder : List.of(sae.batchEncoder(), sae.batchEncoder(4, 10))) {
            try (encoder) {
                List<double[]> batched = encoder.codes(xs);
                List<int[]> sets = encoder.activeSets(xs);
                for (int n = 0; n < xs.size(); n++) {
                    for (int j = 0; j < codes.get(n).length; j++) {
                        assertEquals(codes.get(n)[j], batched.get(n)[j], 1e-12 * (1 + Math.abs(codes.get(n)[j])),
                                name + ": batched latent " + j + " of activation " + n);
                    }
                    double[] z = codes.get(n);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(
                            java.util.stream.IntStream.range(0, z.length).filter(j -> z[j] > 0).toArray(), sets.get(n),
                            name + ": active set of activation " + n);
                }
            }
        }
        // a test whose SAE never fires would compare zeros
        assertTrue(fired > 25, name + ": only " + fired + " latents fired over 25 activations");
        if (name.startsWith("topk")) {
            assertTrue(fired <= 25 * sae.config().k(), name + ": at most k per activation");
        }
    }

    @Test
    void sparsityNeighboursAreTheNearestByPlainSortingTiesIncluded() {
        Path dir = SaeKindFiles.write(tmp.resolve("ties"), "\"architecture\": \"standard\"", 5, "b_enc");
        // few distinct values, spaced so that distances tie exactly on both sides; -10 marks the dead
        float[] levels = {-10f, -1f, -1.5f, -2f, -2.5f, -3f, -4f};
        SplittableRandom rng = new SplittableRandom(3);
        float[] sparsity = new float[SaeKindFiles.D_SAE];
        for (int l = 0; l < sparsity.length; l++) {
            sparsity[l] = levels[rng.nextInt(levels.length)];
        }
        new org.plateau.io.SafetensorsWriter().put("sparsity", sparsity, SaeKindFiles.D_SAE)
                .write(dir.resolve("sparsity.safetensors"));
        Sae sae = Sae.load(dir);
        for (int latent = 0; latent < sparsity.length; latent++) {
            java.util.Set<Integer> exclude = new java.util.HashSet<>();
            for (int e = 0; e < 6; e++) {
                exclude.add(rng.nextInt(sparsity.length));
            }
            for (int k : new int[] {1, 4, 25, sparsity.length}) {
                double target = sparsity[latent];
                int self = latent;
                List<Integer> want = java.util.stream.IntStream.range(0, sparsity.length).boxed()
                        .filter(l -> l != self && sparsity[l] != -10f && !exclude.contains(l))
                        .sorted(java.util.Comparator.comparingDouble((Integer l) -> Math.abs((double) sparsity[l] - target))
                                .thenComparingInt(l -> l))
                        .limit(k).toList();
                assertEquals(want, sae.sparsityNeighbours(latent, k, exclude), "latent " + latent + ", k " + k);
            }
        }
    }

    @Test
    void aLogThresholdIsReadAsItsExponential() {
        Path a = SaeKindFiles.write(tmp.resolve("a"), "\"architecture\": \"jumprelu\"", 3, "b_enc", "log_threshold");
        Sae sae = Sae.load(a);
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = SaeKindFiles.activation(rng);
        // the same weights with θ written out: the codes agree
        try (var f = org.plateau.io.Safetensors.open(a.resolve("sae_weights.safetensors"))) {
            float[] log = f.loadFloats("log_threshold");
            float[] theta = new float[log.length];
            for (int l = 0; l < log.length; l++) {
                theta[l] = (float) Math.exp(log[l]);
            }
            Path b = SaeKindFiles.write(tmp.resolve("b"), "\"architecture\": \"jumprelu\"", 3, "b_enc", "log_threshold");
            new org.plateau.io.SafetensorsWriter()
                    .put("W_enc", f.loadFloats("W_enc"), SaeKindFiles.D_IN, SaeKindFiles.D_SAE)
                    .put("W_dec", f.loadFloats("W_dec"), SaeKindFiles.D_SAE, SaeKindFiles.D_IN)
                    .put("b_dec", f.loadFloats("b_dec"), SaeKindFiles.D_IN)
                    .put("b_enc", f.loadFloats("b_enc"), SaeKindFiles.D_SAE)
                    .put("threshold", theta, SaeKindFiles.D_SAE)
                    .write(b.resolve("sae_weights.safetensors"));
            assertEquals(java.util.Arrays.toString(Sae.load(b).encode(x)), java.util.Arrays.toString(sae.encode(x)));
        }
    }

    @Test
    void syntheticActivationsAreBuiltFromAnyKindsCode() {
        Path dir = SaeKindFiles.write(tmp.resolve("topk"), "\"architecture\": \"topk\", \"k\": 6,"
                + " \"normalize_activations\": \"layer_norm\"", 11, "b_enc");
        Sae sae = Sae.load(dir);
        float[] base = SaeKindFiles.activation(new SplittableRandom(2));
        SyntheticActivations synth = new SyntheticActivations(sae);
        SyntheticActivations.Synthesis s = synth.baseline(base, new Well19937c(1));
        assertEquals(6, s.baseActive().size(), "a topk code has k active latents");
        // the synthesis leaves the SAE's space with the base's coefficients
        float[] want = sae.decode(s.latents(), base);
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(s.activation()));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refusals")
    void unsupportedKindsAreRefusedInOneSentence(String cfg, String says) {
        Path dir = SaeKindFiles.write(tmp.resolve("x"), cfg, 5, "b_enc");
        PlateauException e = assertThrows(PlateauException.class, () -> Sae.load(dir));
        assertTrue(e.getMessage().contains(says), e.getMessage());
        assertEquals(1, e.getMessage().split("\\. ").length, "one sentence: " + e.getMessage());
        assertTrue(e.getMessage().endsWith("."), e.getMessage());
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("\"architecture\": \"matryoshka_batchtopk\"", "architecture 'matryoshka_batchtopk'"),
                Arguments.of("\"architecture\": \"standard\", \"activation_fn_str\": \"tanh-relu\"", "activation 'tanh-relu'"),
                Arguments.of("\"architecture\": \"standard\", \"normalize_activations\": \"whiten\"", "'whiten'"),
                Arguments.of("\"architecture\": \"topk\"", "'k'"),
                Arguments.of("\"architecture\": \"topk\", \"k\": 1000", "'k'"),
                Arguments.of("\"architecture\": \"standard\", \"hook_name\": \"blocks.3.attn.hook_z\"", "hook_z"),
                Arguments.of("\"architecture\": \"jumprelu\"", "no tensor 'threshold'"),
                Arguments.of("\"architecture\": \"gated\"", "no tensor 'b_gate'"));
    }

    @Test
    void aFineTuningScalingFactorIsRefused() {
        Path dir = SaeKindFiles.write(tmp.resolve("s"), "\"architecture\": \"standard\"", 5, "b_enc", "scaling_factor");
        PlateauException e = assertThrows(PlateauException.class, () -> Sae.load(dir));
        assertTrue(e.getMessage().contains("fine-tuning scaling factor"), e.getMessage());
    }

    @Test
    void version6MetadataNamesTheHookAndNeuronpediaId() {
        Path dir = SaeKindFiles.write(tmp.resolve("m"), "\"architecture\": \"standard\", \"metadata\": {\"hook_name\":"
                + " \"blocks.4.hook_resid_pre\", \"neuronpedia_id\": \"gpt2-small/4-res-jb\", \"sae_lens_version\": \"6.5.0\"}",
                5, "b_enc");
        SaeConfig c = Sae.load(dir).config();
        assertEquals("blocks.4.hook_resid_pre", c.hookName());
        assertEquals("gpt2-small/4-res-jb", c.neuronpediaId());
        assertEquals("standard", c.kind());
    }
}
