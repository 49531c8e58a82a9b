package org.plateau.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The weights of one transformer block, matrices [out, in] as torch's {@code linear} takes them:
 * views of Hugging Face's Conv1D tensors, which are stored [in, out], so nothing is copied.
 * A layer is {@code linear(x, w, b)} = x·wᵀ + b. The Hugging Face key of each is given.
 *
 * @param ln1Gain {@code ln_1.weight}
 * @param ln1Bias {@code ln_1.bias}
 * @param qkv {@code attn.c_attn.weight}, [3d, d] here: queries, keys and values side by side
 * @param qkvBias {@code attn.c_attn.bias}
 * @param attnOut {@code attn.c_proj.weight} [d, d]: writes into the residual stream
 * @param attnOutBias {@code attn.c_proj.bias}
 * @param ln2Gain {@code ln_2.weight}
 * @param ln2Bias {@code ln_2.bias}
 * @param mlpIn {@code mlp.c_fc.weight}, [4d, d] here
 * @param mlpInBias {@code mlp.c_fc.bias}
 * @param mlpOut {@code mlp.c_proj.weight}, [d, 4d] here: writes into the residual stream
 * @param mlpOutBias {@code mlp.c_proj.bias}
 */
public record BlockWeights(
        NDArray ln1Gain, NDArray ln1Bias,
        NDArray qkv, NDArray qkvBias,
        NDArray attnOut, NDArray attnOutBias,
        NDArray ln2Gain, NDArray ln2Bias,
        NDArray mlpIn, NDArray mlpInBias,
        NDArray mlpOut, NDArray mlpOutBias) {

    /** The block with every matrix transposed (a view): from the file's [in, out] to [out, in]. */
    BlockWeights transposed() {
        return new BlockWeights(ln1Gain, ln1Bias, qkv.transpose(), qkvBias, attnOut.transpose(), attnOutBias,
                ln2Gain, ln2Bias, mlpIn.transpose(), mlpInBias, mlpOut.transpose(), mlpOutBias);
    }

    List<NDArray> all() {
        return List.of(ln1Gain, ln1Bias, qkv, qkvBias, attnOut, attnOutBias,
                ln2Gain, ln2Bias, mlpIn, mlpInBias, mlpOut, mlpOutBias);
    }
}
