package org.plateau.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.plateau.PlateauException;
import org.plateau.io.Json;

/**
 * The shape of a GPT-2 family model, as Hugging Face's {@code config.json} gives it.
 *
 * @param nLayer number of transformer blocks
 * @param nHead attention heads per block
 * @param dModel width of the residual stream ({@code n_embd})
 * @param nCtx longest prompt the position embedding covers ({@code n_positions})
 * @param vocabSize number of tokens
 * @param layerNormEps epsilon of every LayerNorm
 */
public record Gpt2Config(int nLayer, int nHead, int dModel, int nCtx, int vocabSize, double layerNormEps) {

    /** GPT-2's own vocabulary size: models with it can be prompted with text. */
    public static final int GPT2_VOCAB = 50257;

    public Gpt2Config {
        require(nLayer >= 1 && nLayer <= 1024, "n_layer", nLayer);
        require(nHead >= 1 && nHead <= 1024, "n_head", nHead);
        require(dModel >= 1 && dModel <= 65536, "n_embd", dModel);
        require(nCtx >= 1 && nCtx <= 1 << 20, "n_positions", nCtx);
        require(vocabSize >= 2 && vocabSize <= 10_000_000, "vocab_size", vocabSize);
        if (dModel % nHead != 0) {
            throw new PlateauException("The model configuration is invalid: n_embd " + dModel
                    + " is not a multiple of n_head " + nHead + ".");
        }
        if (!(layerNormEps > 0 && layerNormEps < 1)) {
            throw new PlateauException("The model configuration is invalid: layer_norm_epsilon " + layerNormEps + ".");
        }
    }

    public int dHead() {
        return dModel / nHead;
    }

    public boolean hasGpt2Vocabulary() {
        return vocabSize == GPT2_VOCAB;
    }

    /** Parameters of the whole model, for memory and FLOP estimates. */
    public long parameterCount() {
        long d = dModel;
        long perBlock = 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d);
        return (long) vocabSize * d + (long) nCtx * d + nLayer * perBlock + 2 * d;
    }

    public static Gpt2Config read(Path configJson) {
        JsonNode c = Json.read(configJson);
        String activation = text(c, "activation_function", "gelu_new", configJson);
        if (!activation.equals("gelu_new")) {
            throw new PlateauException("The model in " + configJson.getParent() + " uses the activation '"
                    + activation + "'; Plateau runs GPT-2 models, which use gelu_new.");
        }
        String type = text(c, "model_type", "gpt2", configJson);
        if (!type.equals("gpt2")) {
            throw new PlateauException("The model in " + configJson.getParent() + " is of type '" + type
                    + "'; Plateau runs GPT-2 family models (model_type gpt2).");
        }
        return new Gpt2Config(
                intField(c, "n_layer", configJson),
                intField(c, "n_head", configJson),
                intField(c, "n_embd", configJson),
                intField(c, "n_positions", configJson),
                intField(c, "vocab_size", configJson),
                number(c, "layer_norm_epsilon", 1e-5, configJson));
    }

    /** A whole number, as JSON writes one (4.7 and "4" are not). */
    private static int intField(JsonNode c, String name, Path file) {
        JsonNode v = c.get(name);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new PlateauException("The model configuration " + file + " lacks the integer field '" + name + "'.");
        }
        return v.asInt();
    }

    private static double number(JsonNode c, String name, double fallback, Path file) {
        JsonNode v = c.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new PlateauException("The model configuration " + file + " has a '" + name + "' that is not a number.");
        }
        return v.asDouble();
    }

    private static String text(JsonNode c, String name, String fallback, Path file) {
        JsonNode v = c.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new PlateauException("The model configuration " + file + " has a '" + name + "' that is not a string.");
        }
        return v.asText();
    }

    private static void require(boolean ok, String field, long value) {
        if (!ok) {
            throw new PlateauException("The model configuration is invalid: " + field + " = " + value + ".");
        }
    }
}
