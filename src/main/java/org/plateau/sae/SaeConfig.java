package org.plateau.sae;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.plateau.PlateauException;
import org.plateau.io.Json;

/**
 * An SAE's {@code cfg.json} in SAELens format, read as SAELens reads it: version-6 files carry the
 * hook and the Neuronpedia id under {@code metadata}; older ones name the hook {@code hook_point},
 * the activation {@code activation_fn_str}, and say topk through {@code activation_fn_kwargs.k}
 * (SAELens' {@code handle_pre_6_0_config}).
 *
 * @param dIn width of the activations it reads (the model's d_model)
 * @param dSae number of latents
 * @param hookName where it was trained, e.g. {@code blocks.1.hook_resid_pre}; empty when unknown
 * @param applyBDecToInput whether encode subtracts b_dec first
 * @param architecture how it activates
 * @param k latents kept by a topk SAE (0 for the other kinds)
 * @param rescaleActsByDecoderNorm topk only: pre-activations scaled by each latent's ‖W_dec‖ before
 *     the top k are chosen, and codes divided by it before decoding
 * @param normalization how activations enter and leave its space
 * @param neuronpediaId e.g. {@code gpt2-small/1-res-jb}; null when the file names none
 */
public record SaeConfig(int dIn, int dSae, String hookName, boolean applyBDecToInput, Architecture architecture, int k,
        boolean rescaleActsByDecoderNorm, Normalization normalization, String neuronpediaId) {

    /** A standard ReLU SAE on raw activations. */
    public static SaeConfig standard(int dIn, int dSae, String hookName) {
        return new SaeConfig(dIn, dSae, hookName, true, Architecture.STANDARD, 0, false, Normalization.NONE, null);
    }

    public static SaeConfig read(Path cfgJson) {
        JsonNode c = Json.read(cfgJson);
        Path folder = cfgJson.getParent();
        JsonNode meta = c.path("metadata");
        String act = text(c, cfgJson, "activation_fn", text(c, cfgJson, "activation_fn_str", "relu"));
        String archName = text(c, cfgJson, "architecture", "standard");
        JsonNode kwargsK = c.path("activation_fn_kwargs").path("k");
        if (act.equals("topk") && !kwargsK.isMissingNode() && !kwargsK.isNull()) {
            archName = "topk"; // as SAELens converts a pre-6.0 topk configuration
        }
        Architecture arch = Architecture.named(archName);
        if (arch == null) {
            throw new PlateauException("The SAE in " + folder + " has the architecture '" + archName
                    + "', which Plateau does not support (it reads " + Architecture.names() + ").");
        }
        if (arch != Architecture.TOPK && !act.equals("relu")) {
            throw new PlateauException("The SAE in " + folder + " uses the activation '" + act
                    + "', which Plateau does not support for " + arch.cfgName() + " SAEs (ReLU).");
        }
        int dIn = positive(c, "d_in", cfgJson);
        int dSae = positive(c, "d_sae", cfgJson);
        int k = 0;
        if (arch == Architecture.TOPK) {
            JsonNode kNode = c.has("k") && !c.get("k").isNull() ? c.get("k") : kwargsK;
            if (!kNode.isIntegralNumber() || !kNode.canConvertToInt() || kNode.asInt() < 1 || kNode.asInt() > dSae) {
                throw new PlateauException("The topk SAE configuration " + cfgJson + " lacks a valid 'k' (a whole number"
                        + " from 1 to d_sae).");
            }
            k = kNode.asInt();
        }
        String hook = text(c, cfgJson, "hook_name", text(meta, cfgJson, "hook_name", text(c, cfgJson, "hook_point", "")));
        String reshape = text(c, cfgJson, "reshape_activations", "none");
        if (reshape.equals("hook_z") || hook.contains("hook_z")) {
            throw new PlateauException("The SAE in " + folder + " reads attention heads' outputs (hook_z), which Plateau"
                    + " does not perturb; it reads SAEs of the residual stream, attention and MLP outputs.");
        }
        JsonNode head = c.has("hook_head_index") ? c.get("hook_head_index") : meta.path("hook_head_index");
        if (!head.isMissingNode() && !head.isNull()) {
            throw new PlateauException("The SAE in " + folder + " reads one attention head (hook_head_index), which"
                    + " Plateau does not support.");
        }
        return new SaeConfig(dIn, dSae, hook, bool(c, cfgJson, "apply_b_dec_to_input", true), arch, k,
                arch == Architecture.TOPK && bool(c, cfgJson, "rescale_acts_by_decoder_norm", false),
                normalization(c.path("normalize_activations"), cfgJson),
                nullable(text(c, cfgJson, "neuronpedia_id", text(meta, cfgJson, "neuronpedia_id", ""))));
    }

    /** SAELens accepts the mode's name, null for none, and (before 6.0) true for expected_average_only_in. */
    private static Normalization normalization(JsonNode v, Path file) {
        if (v.isMissingNode() || v.isNull()) {
            return Normalization.NONE;
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? Normalization.EXPECTED_AVERAGE_ONLY_IN : Normalization.NONE;
        }
        Normalization n = v.isTextual() ? Normalization.named(v.asText()) : null;
        if (n == null) {
            throw new PlateauException("The SAE in " + file.getParent() + " normalises activations as '"
                    + (v.isTextual() ? v.asText() : v.toString()) + "', which Plateau does not support (it reads "
                    + Normalization.names() + ").");
        }
        return n;
    }

    /** A field's text; {@code absent} when missing or null; an error when it is not text. */
    private static String text(JsonNode c, Path file, String field, String absent) {
        JsonNode v = c.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return absent;
        }
        if (!v.isTextual()) {
            throw new PlateauException("The SAE configuration " + file + " has a '" + field + "' that is not text.");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode c, Path file, String field, boolean absent) {
        JsonNode v = c.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw new PlateauException("The SAE configuration " + file + " has a '" + field + "' that is not"
                    + " true or false.");
        }
        return v.asBoolean();
    }

    private static String nullable(String s) {
        return s.isEmpty() ? null : s;
    }

    private static int positive(JsonNode c, String field, Path file) {
        JsonNode v = c.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 10_000_000) {
            throw new PlateauException("The SAE configuration " + file + " lacks a valid '" + field + "'.");
        }
        return v.asInt();
    }

    /** "standard", "topk (k = 32)", "jumprelu, layer_norm": the kind in a few words. */
    public String kind() {
        String s = architecture.cfgName() + (architecture == Architecture.TOPK ? " (k = " + k + ")" : "");
        return normalization == Normalization.NONE ? s : s + ", " + normalization.cfgName();
    }
}
