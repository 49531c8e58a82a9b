package org.plateau.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SAELens SAE of any kind (standard, topk, jumprelu, gated; each normalize_activations mode) and
 * the synthetic activations of METHOD §3–4 in float64, for the tests: written from the definitions
 * (SAELens' encode and decode), sharing no code with the engine.
 */
public final class ReferenceSae {

    public final int dIn;
    public final int dSae;
    private final String architecture;
    private final String normalize;
    private final int k;
    private final boolean rescale;
    private final boolean applyBDec;
    private final double[] wEnc; // [dIn, dSae], a norm scaling factor folded in
    private final Map<String, float[]> w;
    private final double[] wDec; // [dSae, dIn], folded
    private final double[] bDec; // folded
    private final float[] sparsity;

    public static ReferenceSae load(Path dir) throws IOException {
        return load(dir, null);
    }

    /** With the release's norm scaling factor for an expected_average_only_in SAE (null: none). */
    public static ReferenceSae load(Path dir, Double normScalingFactor) throws IOException {
        Path sparsity = dir.resolve("sparsity.safetensors");
        return new ReferenceSae(new ObjectMapper().readTree(dir.resolve("cfg.json").toFile()),
                TensorFile.read(dir.resolve("sae_weights.safetensors")),
                java.nio.file.Files.exists(sparsity) ? TensorFile.read(sparsity).get("sparsity") : null,
                normScalingFactor);
    }

    private ReferenceSae(JsonNode cfg, Map<String, float[]> w, float[] sparsity, Double factor) {
        dIn = cfg.get("d_in").asInt();
        dSae = cfg.get("d_sae").asInt();
        String act = cfg.has("activation_fn") ? cfg.get("activation_fn").asText() : cfg.path("activation_fn_str").asText("relu");
        boolean oldTopK = act.equals("topk") && cfg.path("activation_fn_kwargs").has("k");
        architecture = oldTopK ? "topk" : cfg.path("architecture").asText("standard");
        k = cfg.has("k") ? cfg.get("k").asInt() : cfg.path("activation_fn_kwargs").path("k").asInt(0);
        rescale = cfg.path("rescale_acts_by_decoder_norm").asBoolean(false);
        JsonNode norm = cfg.path("normalize_activations");
        normalize = norm.isBoolean() ? (norm.asBoolean() ? "expected_average_only_in" : "none") : norm.asText("none");
        applyBDec = cfg.path("apply_b_dec_to_input").asBoolean(true);
        // SAELens' fold_activation_norm_scaling_factor
        double f = normalize.equals("expected_average_only_in") && factor != null ? factor : 1;
        this.w = w;
        wEnc = scaled(w.get("W_enc"), f);
        wDec = scaled(w.get("W_dec"), 1 / f);
        bDec = scaled(w.get("b_dec"), 1 / f);
        this.sparsity = sparsity;
    }

    private static double[] scaled(float[] v, double f) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * f;
        }
        return out;
    }

    /** The run-time coefficients SAELens stores on the way in: {shift, in-scale, out-scale}. */
    private double[] scaling(double[] x) {
        if (normalize.equals("constant_norm_rescale")) {
            double n = 0;
            for (double v : x) {
                n += v * v;
            }
            double c = Math.sqrt(dIn) / Math.sqrt(n);
            return new double[] {0, c, 1 / c};
        }
        if (normalize.equals("layer_norm")) {
            double mu = 0;
            for (double v : x) {
                mu += v / dIn;
            }
            double var = 0;
            for (double v : x) {
                var += (v - mu) * (v - mu) / (dIn - 1);
            }
            double std = Math.sqrt(var);
            return new double[] {mu, 1 / (std + 1e-5), std};
        }
        return new double[] {0, 1, 1};
    }

    private double decoderNorm(int l) {
        double s = 0;
        for (int i = 0; i < dIn; i++) {
            s += wDec[l * dIn + i] * wDec[l * dIn + i];
        }
        return Math.sqrt(s);
    }

    /** The code z, every latent. */
    public double[] code(double[] x) {
        double[] c = scaling(x);
        double[] sIn = new double[dIn];
        for (int i = 0; i < dIn; i++) {
            sIn[i] = (x[i] - c[0]) * c[1] - (applyBDec ? bDec[i] : 0);
        }
        double[] s = new double[dSae]; // x'·W_enc
        for (int i = 0; i < dIn; i++) {
            for (int j = 0; j < dSae; j++) {
                s[j] += sIn[i] * wEnc[i * dSae + j];
            }
        }
        double[] z = new double[dSae];
        switch (architecture) {
            case "standard" -> {
                for (int j = 0; j < dSae; j++) {
                    z[j] = Math.max(0, s[j] + w.get("b_enc")[j]);
                }
            }
            case "jumprelu" -> {
                for (int j = 0; j < dSae; j++) {
                    double h = s[j] + w.get("b_enc")[j];
                    z[j] = h > w.get("threshold")[j] ? Math.max(0, h) : 0;
                }
            }
            case "gated" -> {
                for (int j = 0; j < dSae; j++) {
                    boolean open = s[j] + w.get("b_gate")[j] > 0;
                    double mag = Math.max(0, s[j] * Math.exp(w.get("r_mag")[j]) + w.get("b_mag")[j]);
                    z[j] = open ? mag : 0;
                }
            }
            case "topk" -> {
                double[] h = new double[dSae];
                Integer[] order = new Integer[dSae];
                for (int j = 0; j < dSae; j++) {
                    h[j] = (s[j] + w.get("b_enc")[j]) * (rescale ? decoderNorm(j) : 1);
                    order[j] = j;
                }
                java.util.Arrays.sort(order, (a, b) -> h[a] != h[b] ? Double.compare(h[b], h[a]) : Integer.compare(a, b));
                for (int r = 0; r < k; r++) {
                    z[order[r]] = Math.max(0, h[order[r]]);
                }
            }
            default -> throw new IllegalArgumentException(architecture);
        }
        return z;
    }

    /** The active latents (z > 0) with their values, strongest first (ties: lower index). */
    public LinkedHashMap<Integer, Double> encode(double[] x) {
        double[] z = code(x);
        List<Integer> active = new ArrayList<>();
        for (int j = 0; j < dSae; j++) {
            if (z[j] > 0) {
                active.add(j);
            }
        }
        active.sort((a, b) -> z[a] != z[b] ? Double.compare(z[b], z[a]) : Integer.compare(a, b));
        LinkedHashMap<Integer, Double> out = new LinkedHashMap<>();
        active.forEach(j -> out.put(j, z[j]));
        return out;
    }

    /** decode for an SAE without run-time normalisation. */
    public double[] decode(Map<Integer, Double> code) {
        return decode(code, null);
    }

    /** decode(code), leaving the SAE's space with the coefficients of {@code like} (null: none). */
    public double[] decode(Map<Integer, Double> code, double[] like) {
        double[] c = like == null ? new double[] {0, 1, 1} : scaling(like);
        double[] x = bDec.clone();
        code.forEach((l, v) -> {
            double value = rescale ? v / decoderNorm(l) : v;
            for (int i = 0; i < dIn; i++) {
                x[i] += value * wDec[l * dIn + i];
            }
        });
        for (int i = 0; i < dIn; i++) {
            x[i] = x[i] * c[2] + c[0];
        }
        return x;
    }

    public boolean dead(int latent) {
        float min = Float.POSITIVE_INFINITY;
        for (float s : sparsity) {
            min = Math.min(min, s);
        }
        return sparsity[latent] == min;
    }

    private double[] cosinesTo(int latent) {
        double[] out = new double[dSae];
        for (int j = 0; j < dSae; j++) {
            out[j] = cosine(j, latent);
        }
        return out;
    }

    public double cosine(int a, int b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < dIn; i++) {
            double x = wDec[a * dIn + i];
            double y = wDec[b * dIn + i];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return dot / Math.sqrt(na * nb);
    }

    /**
     * Structured synthesis (METHOD §4.5; with {@code useCos} false, §4.6): the latent each active
     * base latent's value goes to, as base latent → chosen latent.
     */
    public LinkedHashMap<Integer, Integer> structured(double[] base, double targetCos, boolean useCos) {
        List<Integer> active = new ArrayList<>(encode(base).keySet());
        int top = active.get(0);
        float min = Float.POSITIVE_INFINITY;
        for (float s : sparsity) {
            min = Math.min(min, s);
        }
        List<Integer> live = new ArrayList<>();
        for (int j = 0; j < dSae; j++) {
            if (sparsity[j] != min) {
                live.add(j);
            }
        }
        double[] cosTop = cosinesTo(top);
        // the 100 live latents nearest the top latent in log-sparsity, itself left out (ties: lower index)
        List<Integer> candidates = new ArrayList<>(live);
        candidates.remove(Integer.valueOf(top));
        candidates.sort((a, b) -> {
            double da = Math.abs((double) sparsity[a] - sparsity[top]);
            double db = Math.abs((double) sparsity[b] - sparsity[top]);
            return da != db ? Double.compare(da, db) : Integer.compare(a, b);
        });
        candidates = candidates.subList(0, Math.min(100, candidates.size()));
        int topSynth = candidates.get(0);
        if (useCos) {
            double best = Double.POSITIVE_INFINITY;
            for (int c : candidates) {
                double gap = Math.abs(cosTop[c] - targetCos);
                if (gap < best || (gap == best && c < topSynth)) {
                    best = gap;
                    topSynth = c;
                }
            }
        }
        double[] cosSynth = cosinesTo(topSynth);
        LinkedHashMap<Integer, Integer> chosen = new LinkedHashMap<>();
        chosen.put(top, topSynth);
        java.util.Set<Integer> used = new java.util.HashSet<>(List.of(topSynth));
        for (int l : active.subList(1, active.size())) {
            double want = cosTop[l];
            int pick = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int j : live) {
                if (used.contains(j)) {
                    continue;
                }
                double gap = Math.abs(cosSynth[j] - want);
                if (gap < best) {
                    best = gap;
                    pick = j;
                }
            }
            chosen.put(l, pick);
            used.add(pick);
        }
        return chosen;
    }
}
