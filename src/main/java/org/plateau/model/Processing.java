package org.plateau.model;

import org.plateau.PlateauException;

/**
 * How weights are prepared after loading (METHOD §1).
 *
 * <p>{@link #TL} does what TransformerLens' {@code from_pretrained} does that changes residual
 * stream values: it centres every weight writing into the residual stream over d_model, so every
 * activation is orthogonal to the all-ones vector. The paper's activations and the
 * gpt2-small-res-jb SAEs live in this space. {@link #RAW} keeps Hugging Face's hidden states.
 */
public enum Processing {
    TL("tl"),
    RAW("raw");

    private final String id;

    Processing(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Processing parse(String s) {
        for (Processing p : values()) {
            if (p.id.equals(s)) {
                return p;
            }
        }
        throw new PlateauException("Unknown processing '" + s + "': use tl or raw.");
    }
}
