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
 * A standard SAELens SAE and the synthetic activations of METHOD §3–4 in float64, for the tests:
 * written from the definitions, sharing no code with the engine.
 */
public final class ReferenceSae {

    public final int dIn;
    public final int dSae;
    private final boolean applyBDec;
    private final float[] wEnc; // [dIn, dSae]
    private final float[] bEnc;
    private final float[] wDec; // [dSae, dIn]
    private final float[] bDec;
    private final float[] sparsity;

    public static ReferenceSae load(Path dir) throws IOException {
        return new ReferenceSae(new ObjectMapper().readTree(dir.resolve("cfg.json").toFile()),
                TensorFile.read(dir.resolve("sae_weights.safetensors")),
                TensorFile.read(dir.resolve("sparsity.safetensors")).get("sparsity"));
    }

    private ReferenceSae(JsonNode cfg, Map<String, float[]> w, float[] sparsity) {
        dIn = cfg.get("d_in").asInt();
        dSae = cfg.get("d_sae").asInt();
        applyBDec = cfg.path("apply_b_dec_to_input").asBoolean(true);
        wEnc = w.get("W_enc");
        bEnc = w.get("b_enc");
        wDec = w.get("W_dec");
        bDec = w.get("b_dec");
        this.sparsity = sparsity;
    }

    /** The active latents (z > 0) with their values, strongest first (ties: lower index). */
    public LinkedHashMap<Integer, Double> encode(double[] x) {
        double[] z = new double[dSae];
        for (int j = 0; j < dSae; j++) {
            z[j] = bEnc[j];
        }
        for (int i = 0; i < dIn; i++) {
            double xi = applyBDec ? x[i] - bDec[i] : x[i];
            for (int j = 0; j < dSae; j++) {
                z[j] += xi * wEnc[i * dSae + j];
            }
        }
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

    public double[] decode(Map<Integer, Double> code) {
        double[] x = new double[dIn];
        for (int i = 0; i < dIn; i++) {
            x[i] = bDec[i];
        }
        code.forEach((l, v) -> {
            for (int i = 0; i < dIn; i++) {
                x[i] += v * wDec[l * dIn + i];
            }
        });
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
