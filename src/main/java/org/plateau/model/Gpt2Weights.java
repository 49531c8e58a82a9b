package org.plateau.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.plateau.PlateauException;
import org.plateau.io.Safetensors;

/**
 * All weights of a GPT-2 family model, loaded from a Hugging Face folder ({@code config.json} and
 * {@code model.safetensors}) and prepared by a {@link Processing}. Block matrices are [out, in]
 * views (see {@link BlockWeights}).
 *
 * @param wte token embedding [vocab, d] as the file holds it, never centred: it is also the
 *     unembedding W_Uᵀ (GPT-2 ties them), which as an [out, in] matrix it already is
 * @param wpe position embedding [n_ctx, d]
 * @param lnFWeight {@code ln_f.weight}, the final layer norm
 * @param lnFBias {@code ln_f.bias}
 * @param centredTokenEmbedding whether embedding a token centres its wte row over d_model ("tl"
 *     processing); the unembedding always uses the uncentred rows, as TransformerLens' own W_U does
 */
public record Gpt2Weights(Gpt2Config config, NDArray wte, NDArray wpe, List<BlockWeights> blocks,
        NDArray lnFWeight, NDArray lnFBias, boolean centredTokenEmbedding) {

    /**
     * Loads a model folder. Keys may carry the {@code transformer.} prefix of
     * {@code save_pretrained} or not; the causal-mask buffers and {@code lm_head.weight} (a copy of
     * wte) are ignored. Every shape is checked against the configuration.
     */
    public static Gpt2Weights load(Path dir, Processing processing, NDManager manager) {
        if (!Files.isDirectory(dir)) {
            throw new PlateauException(Files.exists(dir) ? "The model path " + dir + " is a file, not a folder."
                    : "The model folder " + dir + " does not exist.");
        }
        Gpt2Config config = Gpt2Config.read(dir.resolve("config.json"));
        Path file = dir.resolve("model.safetensors");
        if (!Files.exists(file)) {
            throw new PlateauException("The model folder " + dir + " has no model.safetensors"
                    + (Files.exists(dir.resolve("pytorch_model.bin"))
                            ? " (only pytorch_model.bin, a pickle, which Plateau never loads)." : "."));
        }
        try (Safetensors st = Safetensors.open(file)) {
            String prefix = st.contains("transformer.wte.weight") ? "transformer." : "";
            Loader l = new Loader(st, prefix, manager);
            int d = config.dModel();
            NDArray wte = l.get("wte.weight", config.vocabSize(), d);
            NDArray wpe = l.get("wpe.weight", config.nCtx(), d);
            List<BlockWeights> blocks = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                String p = "h." + i + ".";
                blocks.add(new BlockWeights(
                        l.get(p + "ln_1.weight", d), l.get(p + "ln_1.bias", d),
                        l.get(p + "attn.c_attn.weight", d, 3L * d), l.get(p + "attn.c_attn.bias", 3L * d),
                        l.get(p + "attn.c_proj.weight", d, d), l.get(p + "attn.c_proj.bias", d),
                        l.get(p + "ln_2.weight", d), l.get(p + "ln_2.bias", d),
                        l.get(p + "mlp.c_fc.weight", d, 4L * d), l.get(p + "mlp.c_fc.bias", 4L * d),
                        l.get(p + "mlp.c_proj.weight", 4L * d, d), l.get(p + "mlp.c_proj.bias", d)));
            }
            Gpt2Weights raw = new Gpt2Weights(config, wte, wpe, blocks,
                    l.get("ln_f.weight", d), l.get("ln_f.bias", d), false);
            return (processing == Processing.TL ? raw.centreWritingWeights() : raw).withLinearLayout();
        }
    }

    /** Random weights of the given shape, scaled like GPT-2's, for benchmarks without a download. */
    public static Gpt2Weights random(Gpt2Config config, long seed, NDManager manager) {
        Engine.getEngine("PyTorch").setRandomSeed((int) seed);
        int d = config.dModel();
        float std = 0.02f;
        List<BlockWeights> blocks = new ArrayList<>();
        for (int i = 0; i < config.nLayer(); i++) {
            blocks.add(new BlockWeights(
                    manager.ones(new Shape(d)), manager.zeros(new Shape(d)),
                    manager.randomNormal(0, std, new Shape(d, 3L * d), ai.djl.ndarray.types.DataType.FLOAT32),
                    manager.zeros(new Shape(3L * d)),
                    manager.randomNormal(0, std, new Shape(d, d), ai.djl.ndarray.types.DataType.FLOAT32),
                    manager.zeros(new Shape(d)),
                    manager.ones(new Shape(d)), manager.zeros(new Shape(d)),
                    manager.randomNormal(0, std, new Shape(d, 4L * d), ai.djl.ndarray.types.DataType.FLOAT32),
                    manager.zeros(new Shape(4L * d)),
                    manager.randomNormal(0, std, new Shape(4L * d, d), ai.djl.ndarray.types.DataType.FLOAT32),
                    manager.zeros(new Shape(d))));
        }
        return new Gpt2Weights(config,
                manager.randomNormal(0, 0.1f, new Shape(config.vocabSize(), d), ai.djl.ndarray.types.DataType.FLOAT32),
                manager.randomNormal(0, 0.01f, new Shape(config.nCtx(), d), ai.djl.ndarray.types.DataType.FLOAT32),
                blocks, manager.ones(new Shape(d)), manager.zeros(new Shape(d)), false).withLinearLayout();
    }

    /**
     * TransformerLens' {@code center_writing_weights}: every weight that writes into the residual
     * stream loses its mean over d_model. The token embedding is centred row by row as tokens are
     * embedded (ten rows a prompt) rather than here: wte doubles as the unembedding, which
     * TransformerLens keeps uncentred (its W_U), and one copy of GPT-2's 154 MB matrix serves both.
     */
    Gpt2Weights centreWritingWeights() {
        UnaryOperator<NDArray> centre = w -> {
            NDArray c = w.sub(w.mean(new int[] {-1}, true));
            w.close();
            return c;
        };
        List<BlockWeights> centred = new ArrayList<>();
        for (BlockWeights b : blocks) {
            centred.add(new BlockWeights(b.ln1Weight(), b.ln1Bias(), b.cAttnWeight(), b.cAttnBias(),
                    centre.apply(b.attnCProjWeight()), centre.apply(b.attnCProjBias()),
                    b.ln2Weight(), b.ln2Bias(), b.cFcWeight(), b.cFcBias(),
                    centre.apply(b.mlpCProjWeight()), centre.apply(b.mlpCProjBias())));
        }
        return new Gpt2Weights(config, wte, centre.apply(wpe), centred, lnFWeight, lnFBias, true);
    }

    /** Block matrices from the file's [in, out] to linear's [out, in], as views. */
    private Gpt2Weights withLinearLayout() {
        return new Gpt2Weights(config, wte, wpe, blocks.stream().map(BlockWeights::transposed).toList(),
                lnFWeight, lnFBias, centredTokenEmbedding);
    }

    /** Every array, for moving or freeing them together. */
    public List<NDArray> all() {
        List<NDArray> out = new ArrayList<>(List.of(wte, wpe, lnFWeight, lnFBias));
        blocks.forEach(b -> out.addAll(b.all()));
        return out;
    }

    /** Reads tensors by key and checks each shape. */
    private record Loader(Safetensors file, String prefix, NDManager manager) {
        NDArray get(String key, long... shape) {
            String name = prefix + key;
            if (!file.contains(name)) {
                throw new PlateauException("The model file " + file.path() + " has no tensor '" + name
                        + "'; is it a GPT-2 family model?");
            }
            long[] actual = file.entry(name).shape();
            if (!java.util.Arrays.equals(actual, shape)) {
                throw new PlateauException("The model file " + file.path() + " has " + name + " of shape "
                        + java.util.Arrays.toString(actual) + " where config.json implies "
                        + java.util.Arrays.toString(shape) + ".");
            }
            NDArray a = file.load(manager, name);
            // NaN or infinity in a weight poisons every output; say which tensor, once, at load
            if (a.isNaN().logicalOr(a.isInfinite()).any().getBoolean()) {
                a.close();
                throw new PlateauException("The model file " + file.path() + " has a value that is not a finite number"
                        + " (NaN or infinity) in " + name + ".");
            }
            return a;
        }
    }
}
