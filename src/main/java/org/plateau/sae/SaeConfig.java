package org.plateau.sae;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.plateau.PlateauException;
import org.plateau.io.Json;

/**
 * An SAE's {@code cfg.json} in SAELens format, the fields Plateau uses.
 *
 * @param dIn width of the activations it reads (the model's d_model)
 * @param dSae number of latents
 * @param hookName where it was trained, e.g. {@code blocks.1.hook_resid_pre}
 * @param applyBDecToInput whether encode subtracts b_dec first
 */
public record SaeConfig(int dIn, int dSae, String hookName, boolean applyBDecToInput) {

    public static SaeConfig read(Path cfgJson) {
        JsonNode c = Json.read(cfgJson);
        String arch = c.path("architecture").asText("standard");
        if (!arch.equals("standard")) {
            throw new PlateauException("The SAE in " + cfgJson.getParent() + " has the architecture '" + arch
                    + "'; Plateau supports standard ReLU SAEs.");
        }
        String act = c.path("activation_fn_str").asText("relu");
        if (!act.equals("relu")) {
            throw new PlateauException("The SAE in " + cfgJson.getParent() + " uses the activation '" + act
                    + "'; Plateau supports ReLU SAEs.");
        }
        String norm = c.path("normalize_activations").asText("none");
        if (!norm.equals("none") && !norm.equals("null")) {
            throw new PlateauException("The SAE in " + cfgJson.getParent() + " normalises activations ('" + norm
                    + "'); Plateau supports SAEs that read raw activations.");
        }
        int dIn = positive(c, "d_in", cfgJson);
        int dSae = positive(c, "d_sae", cfgJson);
        // SAELens renamed hook_point to hook_name; older reformatted cfgs carry the former
        String hook = c.hasNonNull("hook_name") ? c.get("hook_name").asText() : c.path("hook_point").asText("");
        JsonNode applyBDec = c.path("apply_b_dec_to_input");
        if (!applyBDec.isMissingNode() && !applyBDec.isNull() && !applyBDec.isBoolean()) {
            throw new PlateauException("The SAE configuration " + cfgJson + " has an 'apply_b_dec_to_input' that is not"
                    + " true or false.");
        }
        return new SaeConfig(dIn, dSae, hook, applyBDec.asBoolean(true));
    }

    private static int positive(JsonNode c, String field, Path file) {
        JsonNode v = c.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 10_000_000) {
            throw new PlateauException("The SAE configuration " + file + " lacks a valid '" + field + "'.");
        }
        return v.asInt();
    }
}
