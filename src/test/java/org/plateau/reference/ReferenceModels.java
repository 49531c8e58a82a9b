package org.plateau.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.plateau.TestModels;
import org.plateau.model.Gpt2Config;
import org.plateau.model.RandomGpt2Files;

/**
 * Models and SAEs of shapes the oracle's fixtures lack, written once per build into target/ in the
 * real on-disk formats: other widths and head counts, both key layouts (with and without
 * {@code transformer.}, one with {@code lm_head.weight}), and one of GPT-2 small's block shape.
 */
public final class ReferenceModels {

    /** A model folder, its SAE folder, and what it is. */
    public record Model(String name, Path model, Path sae, Gpt2Config config, boolean gpt2SmallShape) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Path ROOT = Path.of("target/reference-models");
    /** Bump when what is generated changes. */
    private static final String VERSION = "v2";

    private ReferenceModels() {}

    /** Three shapes: 3 blocks × 6 heads × 48 wide, 2 × 1 × 40, and GPT-2 small's 12 × 12 × 768. */
    public static List<Model> all() {
        return List.of(small(), oneHead(), gpt2SmallShape());
    }

    public static Model small() {
        return model("w48-h6-transformer-lmhead", new Gpt2Config(3, 6, 48, 16, 300, 1e-5), "transformer.", true, 96, false);
    }

    public static Model oneHead() {
        return model("w40-h1-plain", new Gpt2Config(2, 1, 40, 12, 97, 1e-5), "", false, 160, false);
    }

    /** GPT-2 small's blocks (12 × 12 heads × width 768) with a 2048-token vocabulary to keep the suite light. */
    public static Model gpt2SmallShape() {
        return model("gpt2-small-shape", new Gpt2Config(12, 12, 768, 32, 2048, 1e-5), "transformer.", true, 2048, true);
    }

    private static synchronized Model model(String name, Gpt2Config c, String prefix, boolean lmHead, int latents,
            boolean gpt2Shape) {
        Path dir = ROOT.resolve(VERSION).resolve(name);
        Path model = dir.resolve("model");
        Path sae = dir.resolve("sae");
        try {
            if (!Files.exists(dir.resolve("done"))) {
                RandomGpt2Files.write(model, c, name.hashCode(), prefix, lmHead, "");
                TestModels.sae(sae, c.dModel(), latents, name.hashCode() + 1L);
                Files.writeString(dir.resolve("done"), "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Model(name, model, sae, c, gpt2Shape);
    }
}
