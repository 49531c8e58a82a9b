package org.plateau.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The weights of one transformer block, named as Hugging Face's GPT-2 names them ({@code h.N.*}).
 * Matrices are [out, in], as torch's {@code linear} takes them: views of the file's Conv1D
 * tensors, which are stored [in, out], so nothing is copied. A layer is x·wᵀ + b.
 *
 * @param ln1Weight {@code ln_1.weight}
 * @param ln1Bias {@code ln_1.bias}
 * @param cAttnWeight {@code attn.c_attn.weight}, [3d, d] here: queries, keys and values side by side
 * @param cAttnBias {@code attn.c_attn.bias}
 * @param attnCProjWeight {@code attn.c_proj.weight} [d, d]: writes into the residual stream
 * @param attnCProjBias {@code attn.c_proj.bias}
 * @param ln2Weight {@code ln_2.weight}
 * @param ln2Bias {@code ln_2.bias}
 * @param cFcWeight {@code mlp.c_fc.weight}, [4d, d] here
 * @param cFcBias {@code mlp.c_fc.bias}
 * @param mlpCProjWeight {@code mlp.c_proj.weight}, [d, 4d] here: writes into the residual stream
 * @param mlpCProjBias {@code mlp.c_proj.bias}
 */
public record BlockWeights(
        NDArray ln1Weight, NDArray ln1Bias,
        NDArray cAttnWeight, NDArray cAttnBias,
        NDArray attnCProjWeight, NDArray attnCProjBias,
        NDArray ln2Weight, NDArray ln2Bias,
        NDArray cFcWeight, NDArray cFcBias,
        NDArray mlpCProjWeight, NDArray mlpCProjBias) {

    /** The block with every matrix transposed (a view): from the file's [in, out] to [out, in]. */
    BlockWeights transposed() {
        return new BlockWeights(ln1Weight, ln1Bias, cAttnWeight.transpose(), cAttnBias, attnCProjWeight.transpose(),
                attnCProjBias, ln2Weight, ln2Bias, cFcWeight.transpose(), cFcBias, mlpCProjWeight.transpose(), mlpCProjBias);
    }

    List<NDArray> all() {
        return List.of(ln1Weight, ln1Bias, cAttnWeight, cAttnBias, attnCProjWeight, attnCProjBias,
                ln2Weight, ln2Bias, cFcWeight, cFcBias, mlpCProjWeight, mlpCProjBias);
    }
}
