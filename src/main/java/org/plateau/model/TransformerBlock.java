package org.plateau.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

/**
 * One GPT-2 block, pre-LayerNorm, as nanoGPT's {@code Block} and TransformerLens write it:
 *
 * <pre>
 * resid_mid  = resid_pre + attn(ln_1(resid_pre))
 * resid_post = resid_mid + mlp(ln_2(resid_mid))
 * </pre>
 *
 * Two forms: {@link #forward} over whole prompts, and {@link #forwardLast} for the last position
 * alone, whose query meets keys and values of the earlier positions kept from a previous run.
 */
final class TransformerBlock {

    /** Keys and values of positions, [B, H, T, dh] each (or, cached for one prompt, [H, P, dh]). */
    record KeysValues(NDArray keys, NDArray values) {}

    /** Receives a block's intermediate values by TransformerLens' hook names (hook_resid_mid, …). */
    @FunctionalInterface
    interface Hooks {
        void at(String name, NDArray value);
    }

    private final BlockWeights w;
    private final int nHead;
    private final int dHead;
    private final int dModel;
    private final float eps;
    private final float attnScale;

    TransformerBlock(BlockWeights w, Gpt2Config cfg) {
        this.w = w;
        this.nHead = cfg.nHead();
        this.dHead = cfg.dHead();
        this.dModel = cfg.dModel();
        this.eps = (float) cfg.layerNormEps();
        this.attnScale = (float) (1.0 / Math.sqrt(cfg.dHead()));
    }

    /**
     * Whole prompts: resid_pre [B, T, d] → resid_post [B, T, d].
     *
     * @param mask the causal mask [T, T]
     * @param kvOut if not null, receives this block's keys and values
     */
    NDArray forward(NDArray residPre, NDArray mask, KeysValues[] kvOut) {
        return forward(residPre, mask, kvOut, null);
    }

    /** As above; {@code hooks}, when not null, sees every intermediate value, as TransformerLens' cache does. */
    NDArray forward(NDArray residPre, NDArray mask, KeysValues[] kvOut, Hooks hooks) {
        NDArray residMid = residPre.add(attn(ln1(residPre), mask, kvOut, hooks));
        if (hooks != null) {
            hooks.at("hook_resid_mid", residMid);
        }
        return residMid.add(mlp(ln2(residMid), hooks));
    }

    /**
     * The last position only: resid_pre [B, d] → resid_post [B, d], attending to the cached
     * keys (transposed, [H, dh, P]) and values ([H, P, dh]) of the P earlier positions.
     */
    NDArray forwardLast(NDArray residPre, NDArray cachedKeysT, NDArray cachedValues) {
        // the sums land in the fresh outputs (a + b is b + a exactly): no new [B, d] arrays
        NDArray residMid = Gpt2.scoped(residPre, x -> attnLast(ln1(x), cachedKeysT, cachedValues).addi(x));
        return mlpResidual(residMid);
    }

    /**
     * resid_mid → resid_post, in a scope of its own: the attention's intermediates are freed
     * before the MLP's [B, 4d] arrays are made, so that a batch's memory peaks at the larger of
     * the two halves of the block, not at their sum.
     */
    private NDArray mlpResidual(NDArray residMid) {
        return Gpt2.scoped(residMid, x -> mlp(ln2(x)).addi(x));
    }

    /**
     * The earlier positions of one prompt [P, d] and a batch of replacements for its last position
     * [B, d] through the block together: one matrix product per layer for both, the prompt's
     * positions attending causally among themselves, each replacement to them and to itself.
     * Returns their resid_post, and the earlier positions' keys (transposed, [H, dh, P]) and
     * values ([H, P, dh]) for later batches.
     */
    NDArray[] forwardPrefixAndLast(NDArray prefix, NDArray last, NDArray prefixMask) {
        long p = prefix.getShape().get(0);
        long b = last.getShape().get(0);
        NDManager home = last.getManager();
        NDArray residMid;
        NDArray keysT;
        NDArray values;
        try (NDManager attention = home.newSubManager()) { // freed before the MLP, as in forwardLast
            NDArray residPre = prefix.concat(last, 0);
            residPre.attach(attention);
            NDList qkv = linear(ln1(residPre), w.cAttnWeight(), w.cAttnBias()).split(3, 1);
            NDArray[] heads = new NDArray[3];
            for (int i = 0; i < 3; i++) {
                heads[i] = qkv.get(i).reshape(p + b, nHead, dHead).transpose(1, 0, 2); // [H, P + B, dh]
            }
            NDIndex prefixRows = new NDIndex(":, :{}, :", p);
            NDIndex lastRows = new NDIndex(":, {}:, :", p);
            // copies: views would keep all of the batch's keys and values alive
            keysT = Gpt2.keep(heads[1].get(prefixRows).transpose(0, 2, 1), home);
            values = Gpt2.keep(heads[2].get(prefixRows), home);
            NDArray zPrefix = heads[0].get(prefixRows).matMul(keysT).mul(attnScale).add(prefixMask).softmax(2).matMul(values);
            NDArray zLast = attendLast(heads[0].get(lastRows), heads[1].get(lastRows), heads[2].get(lastRows), keysT, values);
            NDArray z = zPrefix.concat(zLast, 1).transpose(1, 0, 2).reshape(p + b, dModel);
            residMid = linear(z, w.attnCProjWeight(), w.attnCProjBias()).addi(residPre);
            residMid.attach(home);
        }
        NDArray residPost = mlpResidual(residMid);
        return new NDArray[] {residPost.get(new NDIndex(":{}", p)), residPost.get(new NDIndex("{}:", p)), keysT, values};
    }

    /**
     * resid_post of the last position [B, d] from whole prompts [B, T, d], without computing the
     * other positions' outputs: they only lend their keys and values (what a block before a
     * recorded point needs when nothing after it is asked for).
     */
    NDArray forwardToLast(NDArray residPre, NDArray mask) {
        long len = residPre.getShape().get(1);
        KeysValues[] kv = new KeysValues[1];
        NDArray normed = ln1(residPre);
        projectKeysValues(normed, kv);
        NDArray last = residPre.get(new NDIndex(":, -1, :"));
        NDArray q = splitHeads(linear(normed.get(new NDIndex(":, -1:, :")), w.cAttnWeight().get(new NDIndex(":{}", dModel)),
                w.cAttnBias().get(new NDIndex(":{}", dModel))), last.getShape().get(0), 1);
        NDArray lastMask = mask.get(new NDIndex("{}:, :", len - 1));
        NDArray z = attend(q, kv[0], lastMask).reshape(last.getShape().get(0), dModel);
        NDArray residMid = last.add(linear(z, w.attnCProjWeight(), w.attnCProjBias()));
        return residMid.add(mlp(ln2(residMid)));
    }

    // ------------------------------------------------------------------ attention

    private NDArray attn(NDArray x, NDArray mask, KeysValues[] kvOut, Hooks hooks) {
        Shape s = x.getShape();
        long batch = s.get(0);
        long len = s.get(1);
        NDList qkv = linear(x, w.cAttnWeight(), w.cAttnBias()).split(3, 2);
        KeysValues kv = new KeysValues(splitHeads(qkv.get(1), batch, len), splitHeads(qkv.get(2), batch, len));
        if (kvOut != null) {
            kvOut[0] = kv;
        }
        NDArray q = splitHeads(qkv.get(0), batch, len);
        if (hooks != null) {
            hooks.at("attn.hook_q", q);
            hooks.at("attn.hook_k", kv.keys());
            hooks.at("attn.hook_v", kv.values());
            hooks.at("attn.hook_pattern", q.matMul(kv.keys().transpose(0, 1, 3, 2)).mul(attnScale).add(mask).softmax(3));
        }
        NDArray z = attend(q, kv, mask);
        NDArray out = linear(z.transpose(0, 2, 1, 3).reshape(batch, len, dModel), w.attnCProjWeight(), w.attnCProjBias());
        if (hooks != null) {
            hooks.at("attn.hook_z", z);
            hooks.at("hook_attn_out", out);
        }
        return out;
    }

    /** softmax(q·kᵀ/√dh + mask)·v over heads: [B, H, Tq, dh]. */
    private NDArray attend(NDArray q, KeysValues kv, NDArray mask) {
        NDArray pattern = q.matMul(kv.keys().transpose(0, 1, 3, 2)).mul(attnScale).add(mask).softmax(3);
        return pattern.matMul(kv.values());
    }

    /** Keys and values of every position, [B, H, T, dh]. */
    private void projectKeysValues(NDArray normed, KeysValues[] out) {
        Shape s = normed.getShape();
        NDArray kvWeight = w.cAttnWeight().get(new NDIndex("{}:", dModel));
        NDArray kvBias = w.cAttnBias().get(new NDIndex("{}:", dModel));
        NDList kv = linear(normed, kvWeight, kvBias).split(2, 2);
        out[0] = new KeysValues(splitHeads(kv.get(0), s.get(0), s.get(1)), splitHeads(kv.get(1), s.get(0), s.get(1)));
    }

    /**
     * The last position's attention, x [B, d]: heads lead so the prefix is shared by the batch
     * without being copied, scores [H, B, P + 1] (the earlier positions, then itself).
     */
    private NDArray attnLast(NDArray x, NDArray prefixKeysT, NDArray prefixValues) {
        long batch = x.getShape().get(0);
        NDList qkv = linear(x, w.cAttnWeight(), w.cAttnBias()).split(3, 1);
        NDArray q = qkv.get(0).reshape(batch, nHead, dHead).transpose(1, 0, 2);
        NDArray k = qkv.get(1).reshape(batch, nHead, dHead).transpose(1, 0, 2);
        NDArray v = qkv.get(2).reshape(batch, nHead, dHead).transpose(1, 0, 2);
        NDArray z = attendLast(q, k, v, prefixKeysT, prefixValues);
        return linear(z.transpose(1, 0, 2).reshape(batch, dModel), w.attnCProjWeight(), w.attnCProjBias());
    }

    /** Heads [H, B, dh] of last positions meeting the prefix's keys [H, dh, P] and values [H, P, dh], and their own. */
    private NDArray attendLast(NDArray q, NDArray k, NDArray v, NDArray prefixKeysT, NDArray prefixValues) {
        long prefixLen = prefixValues.getShape().get(1);
        if (prefixLen == 0) {
            return v; // a one-token prompt attends only to itself
        }
        NDArray selfScore = q.mul(k).sum(new int[] {2}, true);
        NDArray scores = q.matMul(prefixKeysT).concat(selfScore, 2).mul(attnScale).softmax(2);
        NDArray toPrefix = scores.get(new NDIndex(":, :, :{}", prefixLen));
        NDArray toSelf = scores.get(new NDIndex(":, :, {}:", prefixLen));
        return toPrefix.matMul(prefixValues).addi(toSelf.mul(v));
    }

    /** [B, T, d] → [B, H, T, dh] */
    private NDArray splitHeads(NDArray a, long batch, long len) {
        return a.reshape(batch, len, nHead, dHead).transpose(0, 2, 1, 3);
    }

    // ------------------------------------------------------------------ the rest

    private NDArray mlp(NDArray x) {
        return mlp(x, null);
    }

    private NDArray mlp(NDArray x, Hooks hooks) {
        NDArray post = geluNew(linear(x, w.cFcWeight(), w.cFcBias()));
        NDArray out = linear(post, w.mlpCProjWeight(), w.mlpCProjBias());
        if (hooks != null) {
            hooks.at("mlp.hook_post", post);
            hooks.at("hook_mlp_out", out);
        }
        return out;
    }

    private NDArray ln1(NDArray x) {
        return layerNorm(x, w.ln1Weight(), w.ln1Bias(), eps);
    }

    private NDArray ln2(NDArray x) {
        return layerNorm(x, w.ln2Weight(), w.ln2Bias(), eps);
    }

    static NDArray layerNorm(NDArray x, NDArray weight, NDArray bias, float eps) {
        long d = x.getShape().get(x.getShape().dimension() - 1);
        return LayerNorm.layerNorm(x, new Shape(d), weight, bias, eps).get(0);
    }

    private static final float GELU_C = (float) (2 * Math.sqrt(2.0 / Math.PI));

    /**
     * GPT-2's tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), written as
     * x·σ(2√(2/π)·x·(1 + 0.044715·x²)) since 0.5·(1 + tanh(u)) = σ(2u): six passes instead of nine.
     */
    static NDArray geluNew(NDArray x) {
        NDArray u = x.mul(x).muli(GELU_C * 0.044715f).addi(GELU_C).muli(x);
        return Activation.sigmoid(u).muli(x);
    }

    /** x·wᵀ + b in one fused call; w is [out, in]. */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return Linear.linear(x, w, b).get(0);
    }
}
