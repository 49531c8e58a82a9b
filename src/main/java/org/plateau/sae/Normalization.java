package org.plateau.sae;

import java.util.Arrays;

/**
 * How an activation enters an SAE's space and how a reconstruction leaves it: SAELens'
 * {@code normalize_activations}. The run-time modes keep coefficients of the activation they read,
 * and a decode made for that activation (its reconstruction, a synthesis built from its code) leaves
 * with the same coefficients, as SAELens' stored {@code x_norm_coeff} / {@code ln_mu, ln_std} do.
 */
public enum Normalization {
    NONE("none"),
    /**
     * A constant factor f measured on the training data; SAELens folds it into the weights when
     * its release lists f (W_enc·f, W_dec/f, b_dec/f) and otherwise reads activations as they are.
     * {@link Sae} does the same, so at run time this mode is the identity.
     */
    EXPECTED_AVERAGE_ONLY_IN("expected_average_only_in"),
    /** x·√d/‖x‖ on the way in; divided by the same factor on the way out. */
    CONSTANT_NORM_RESCALE("constant_norm_rescale"),
    /** (x − μ)/(σ + 1e-5) on the way in, σ the unbiased standard deviation; ·σ + μ on the way out. */
    LAYER_NORM("layer_norm");

    /** SAELens' eps in its run-time layer norm. */
    static final double LAYER_NORM_EPS = 1e-5;

    private final String cfgName;

    Normalization(String cfgName) {
        this.cfgName = cfgName;
    }

    public String cfgName() {
        return cfgName;
    }

    /** The mode a cfg.json names; null when SAELens defines no such mode. */
    public static Normalization named(String cfgName) {
        return Arrays.stream(values()).filter(n -> n.cfgName.equals(cfgName)).findFirst().orElse(null);
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(Normalization::cfgName).toList());
    }

    /**
     * One activation's coefficients: in(x)ᵢ = (xᵢ − shift)·inScale, out(y)ᵢ = yᵢ·outScale + shift.
     * The layer norm's out is not the exact inverse of its in (σ against σ + eps), as in SAELens.
     */
    public record Scaling(double shift, double inScale, double outScale) {
        static final Scaling IDENTITY = new Scaling(0, 1, 1);

        public double in(double x) {
            return (x - shift) * inScale;
        }

        public double out(double y) {
            return y * outScale + shift;
        }
    }

    /** The coefficients this mode takes from {@code x}. */
    public Scaling scalingOf(float[] x) {
        int d = x.length;
        switch (this) {
            case CONSTANT_NORM_RESCALE -> {
                double norm = 0;
                for (float v : x) {
                    norm += (double) v * v;
                }
                norm = Math.sqrt(norm);
                // the zero activation has no direction to rescale; SAELens would divide by zero
                double c = norm > 0 ? Math.sqrt(d) / norm : 1;
                return new Scaling(0, c, 1 / c);
            }
            case LAYER_NORM -> {
                double mu = 0;
                for (float v : x) {
                    mu += v;
                }
                mu /= d;
                double ss = 0;
                for (float v : x) {
                    ss += (v - mu) * (v - mu);
                }
                double std = d > 1 ? Math.sqrt(ss / (d - 1)) : 0; // torch.std: Bessel's correction
                return new Scaling(mu, 1 / (std + LAYER_NORM_EPS), std);
            }
            default -> {
                return Scaling.IDENTITY;
            }
        }
    }
}
