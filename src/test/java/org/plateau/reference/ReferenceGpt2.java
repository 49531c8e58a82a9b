package org.plateau.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * An independent float64 GPT-2 for the tests: plain loops over arrays, written from METHOD §1 and
 * Hugging Face's definition, sharing no code with the engine (no DJL, its own file reader).
 * Slow, and meant to be: it is what the engine is held to on shapes the oracle's fixtures lack.
 *
 * <p>Points of the residual stream are numbered as TransformerLens' hooks: point i is the input of
 * block i ({@code blocks.i.hook_resid_pre}), point nLayer the output of the last block.
 */
public final class ReferenceGpt2 {

    public final int nLayer;
    public final int nHead;
    public final int d;
    public final int vocab;
    final double eps;

    /** Weights as used: embedding rows (centred under tl), and the unembedding (never centred). */
    private final float[] wteEmbed;
    private final float[] wteUnembed;
    private final float[] wpe;
    private final Block[] blocks;
    private final float[] lnfG;
    private final float[] lnfB;

    /** One block's weights in the file's layout: Conv1D matrices [in, out]. */
    private record Block(float[] ln1G, float[] ln1B, float[] attnW, float[] attnB, float[] projW, float[] projB,
            float[] ln2G, float[] ln2B, float[] fcW, float[] fcB, float[] outW, float[] outB) {}

    /** Loads a Hugging Face folder; {@code tl}: centre the weights that write into the stream (METHOD §1). */
    public static ReferenceGpt2 load(Path dir, boolean tl) throws IOException {
        JsonNode c = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        Map<String, float[]> t = TensorFile.read(dir.resolve("model.safetensors"));
        String p = t.containsKey("transformer.wte.weight") ? "transformer." : "";
        return new ReferenceGpt2(c, t, p, tl);
    }

    private ReferenceGpt2(JsonNode c, Map<String, float[]> t, String p, boolean tl) {
        nLayer = c.get("n_layer").asInt();
        nHead = c.get("n_head").asInt();
        d = c.get("n_embd").asInt();
        vocab = c.get("vocab_size").asInt();
        eps = c.path("layer_norm_epsilon").asDouble(1e-5);
        float[] wte = t.get(p + "wte.weight");
        wteUnembed = wte;
        wteEmbed = tl ? centreRows(wte, d) : wte;
        wpe = tl ? centreRows(t.get(p + "wpe.weight"), d) : t.get(p + "wpe.weight");
        blocks = new Block[nLayer];
        for (int l = 0; l < nLayer; l++) {
            String b = p + "h." + l + ".";
            float[] projW = t.get(b + "attn.c_proj.weight");
            float[] projB = t.get(b + "attn.c_proj.bias");
            float[] outW = t.get(b + "mlp.c_proj.weight");
            float[] outB = t.get(b + "mlp.c_proj.bias");
            blocks[l] = new Block(t.get(b + "ln_1.weight"), t.get(b + "ln_1.bias"), t.get(b + "attn.c_attn.weight"),
                    t.get(b + "attn.c_attn.bias"), tl ? centreRows(projW, d) : projW, tl ? centreRows(projB, d) : projB,
                    t.get(b + "ln_2.weight"), t.get(b + "ln_2.bias"), t.get(b + "mlp.c_fc.weight"),
                    t.get(b + "mlp.c_fc.bias"), tl ? centreRows(outW, d) : outW, tl ? centreRows(outB, d) : outB);
        }
        lnfG = t.get(p + "ln_f.weight");
        lnfB = t.get(p + "ln_f.bias");
    }

    /** Each run of {@code width} values loses its mean: W ← W − mean(W, axis = last) over d_model. */
    private static float[] centreRows(float[] w, int width) {
        float[] out = new float[w.length];
        for (int r = 0; r < w.length / width; r++) {
            double mean = 0;
            for (int i = 0; i < width; i++) {
                mean += w[r * width + i];
            }
            mean /= width;
            for (int i = 0; i < width; i++) {
                out[r * width + i] = (float) (w[r * width + i] - mean);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ a prompt

    /**
     * A prompt run once: the residual stream at every point and position, with the keys and
     * values of every block, so that the last position can be run again with a replaced vector.
     */
    public final class Prompt {
        public final int[] tokens;
        /** [point][position][d] */
        public final double[][][] resid;
        /** Per block, keys and values [position][d] (heads side by side). */
        private final double[][][] keys;
        private final double[][][] values;

        Prompt(int[] tokens) {
            this.tokens = tokens.clone();
            int len = tokens.length;
            resid = new double[nLayer + 1][len][];
            keys = new double[nLayer][len][];
            values = new double[nLayer][len][];
            for (int t = 0; t < len; t++) {
                double[] x = new double[d];
                for (int i = 0; i < d; i++) {
                    x[i] = (double) wteEmbed[tokens[t] * d + i] + wpe[t * d + i];
                }
                resid[0][t] = x;
            }
            for (int l = 0; l < nLayer; l++) {
                Block b = blocks[l];
                for (int t = 0; t < len; t++) {
                    double[] qkv = affine(layerNorm(resid[l][t], b.ln1G(), b.ln1B()), b.attnW(), b.attnB(), 3 * d);
                    keys[l][t] = java.util.Arrays.copyOfRange(qkv, d, 2 * d);
                    values[l][t] = java.util.Arrays.copyOfRange(qkv, 2 * d, 3 * d);
                }
                for (int t = 0; t < len; t++) {
                    resid[l + 1][t] = block(l, resid[l][t], t, null, null);
                }
            }
        }

        /** Next-token log-probabilities after the last position. */
        public double[] logProbs() {
            return ReferenceGpt2.this.logProbs(resid[nLayer][tokens.length - 1]);
        }

        /** The last position's vector at a point. */
        public double[] last(int point) {
            return resid[point][tokens.length - 1].clone();
        }

        /**
         * The last position run again from {@code point} with {@code x} in place of its vector
         * there: the stream at every later point of that position, and the log-probabilities.
         * Earlier positions do not see the last one (causal attention), so they stand.
         */
        public Patched patched(int point, double[] x) {
            int last = tokens.length - 1;
            double[][] out = new double[nLayer + 1][];
            out[point] = x.clone();
            for (int l = point; l < nLayer; l++) {
                Block b = blocks[l];
                double[] qkv = affine(layerNorm(out[l], b.ln1G(), b.ln1B()), b.attnW(), b.attnB(), 3 * d);
                double[][] k = keys[l].clone();
                double[][] v = values[l].clone();
                k[last] = java.util.Arrays.copyOfRange(qkv, d, 2 * d);
                v[last] = java.util.Arrays.copyOfRange(qkv, 2 * d, 3 * d);
                out[l + 1] = block(l, out[l], last, k, v);
            }
            return new Patched(out, ReferenceGpt2.this.logProbs(out[nLayer]));
        }

        /** Block l applied to position t's vector x, attending to the given keys and values (default: the prompt's). */
        private double[] block(int l, double[] x, int t, double[][] k, double[][] v) {
            Block b = blocks[l];
            double[][] ks = k == null ? keys[l] : k;
            double[][] vs = v == null ? values[l] : v;
            double[] q = java.util.Arrays.copyOfRange(affine(layerNorm(x, b.ln1G(), b.ln1B()), b.attnW(), b.attnB(), 3 * d), 0, d);
            int dh = d / nHead;
            double[] z = new double[d];
            for (int h = 0; h < nHead; h++) {
                double[] score = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    double dot = 0;
                    for (int i = 0; i < dh; i++) {
                        dot += q[h * dh + i] * ks[s][h * dh + i];
                    }
                    score[s] = dot / Math.sqrt(dh);
                    max = Math.max(max, score[s]);
                }
                double sum = 0;
                for (int s = 0; s <= t; s++) {
                    score[s] = Math.exp(score[s] - max);
                    sum += score[s];
                }
                for (int s = 0; s <= t; s++) {
                    for (int i = 0; i < dh; i++) {
                        z[h * dh + i] += score[s] / sum * vs[s][h * dh + i];
                    }
                }
            }
            double[] mid = add(x, affine(z, b.projW(), b.projB(), d));
            double[] hidden = affine(layerNorm(mid, b.ln2G(), b.ln2B()), b.fcW(), b.fcB(), 4 * d);
            for (int i = 0; i < hidden.length; i++) {
                double u = hidden[i];
                hidden[i] = 0.5 * u * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (u + 0.044715 * u * u * u)));
            }
            return add(mid, affine(hidden, b.outW(), b.outB(), d));
        }
    }

    /** The last position after a patch: the stream at each point from the patch on, and log-probs. */
    public record Patched(double[][] resid, double[] logProbs) {}

    public Prompt run(int[] tokens) {
        return new Prompt(tokens);
    }

    // ------------------------------------------------------------------ pieces

    private double[] layerNorm(double[] x, float[] g, float[] b) {
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= x.length;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] - mean) / Math.sqrt(var + eps) * g[i] + b[i];
        }
        return out;
    }

    /** x·W + b with W [in, out] (Conv1D). */
    private static double[] affine(double[] x, float[] w, float[] b, int out) {
        double[] y = new double[out];
        for (int j = 0; j < out; j++) {
            y[j] = b[j];
        }
        for (int i = 0; i < x.length; i++) {
            double xi = x[i];
            int row = i * out;
            for (int j = 0; j < out; j++) {
                y[j] += xi * w[row + j];
            }
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    /** ln_f, then the tied unembedding with the file's own (uncentred) wte, then log-softmax. */
    double[] logProbs(double[] x) {
        return logSoftmax(layerNorm(x, lnfG, lnfB), wteUnembed, vocab);
    }

    /** log softmax(W·h) in float64, W [vocab, d] row-major with d = h.length. */
    public static double[] logSoftmax(double[] h, float[] w, int vocab) {
        int d = h.length;
        double[] logits = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            double s = 0;
            for (int i = 0; i < d; i++) {
                s += h[i] * w[v * d + i];
            }
            logits[v] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (double l : logits) {
            sum += Math.exp(l - max);
        }
        double logZ = max + Math.log(sum);
        for (int v = 0; v < vocab; v++) {
            logits[v] -= logZ;
        }
        return logits;
    }

    /** Greedy decoding: the prompt and {@code n} tokens, each the argmax (ties: lower id) of the last. */
    public int[] greedy(int[] prompt, int n) {
        int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + n);
        for (int k = prompt.length; k < seq.length; k++) {
            double[] lp = run(java.util.Arrays.copyOf(seq, k)).logProbs();
            int best = 0;
            for (int v = 1; v < lp.length; v++) {
                if (lp[v] > lp[best]) {
                    best = v;
                }
            }
            seq[k] = best;
        }
        return seq;
    }
}
