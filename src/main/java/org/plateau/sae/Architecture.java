package org.plateau.sae;

import java.util.Arrays;
import java.util.List;

/**
 * The SAE kinds SAELens writes ({@code architecture} in cfg.json), each with the tensors its encoder
 * reads besides W_enc, W_dec and b_dec. How each one activates is in {@link Sae#encode}.
 */
public enum Architecture {
    /** z = ReLU(x'·W_enc + b_enc): the jb SAEs of the paper. */
    STANDARD("standard", "b_enc"),
    /** The k largest of x'·W_enc + b_enc (optionally scaled by ‖W_dec‖ per latent) kept, through ReLU. */
    TOPK("topk", "b_enc"),
    /** ReLU(h)·[h > θ] with h = x'·W_enc + b_enc and a threshold θ per latent. */
    JUMPRELU("jumprelu", "b_enc", "threshold"),
    /** [s + b_gate > 0]·ReLU(exp(r_mag)·s + b_mag) with s = x'·W_enc. */
    GATED("gated", "b_gate", "r_mag", "b_mag");

    private final String cfgName;
    private final List<String> encoderTensors;

    Architecture(String cfgName, String... encoderTensors) {
        this.cfgName = cfgName;
        this.encoderTensors = List.of(encoderTensors);
    }

    public String cfgName() {
        return cfgName;
    }

    /** The per-latent vectors of the encoder, besides W_enc. */
    public List<String> encoderTensors() {
        return encoderTensors;
    }

    /** The kind a cfg.json names; null when SAELens defines no such kind. */
    public static Architecture named(String cfgName) {
        return Arrays.stream(values()).filter(a -> a.cfgName.equals(cfgName)).findFirst().orElse(null);
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(Architecture::cfgName).toList());
    }
}
