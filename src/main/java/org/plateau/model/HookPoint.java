package org.plateau.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.plateau.PlateauException;

/**
 * A point of the residual stream, named as in TransformerLens.
 *
 * <p>The stream of an L-block model has L + 1 points: point i is the input of block i
 * ({@code blocks.i.hook_resid_pre}), point i + 1 its output ({@code blocks.i.hook_resid_post},
 * the same values as {@code blocks.(i+1).hook_resid_pre}). {@code index} is that point number.
 */
public record HookPoint(String name, int index) {

    private static final Pattern NAME = Pattern.compile("blocks\\.(\\d+)\\.hook_resid_(pre|post)");

    public static HookPoint residPre(int block) {
        return new HookPoint("blocks." + block + ".hook_resid_pre", block);
    }

    public static HookPoint residPost(int block) {
        return new HookPoint("blocks." + block + ".hook_resid_post", block + 1);
    }

    /** Every point of the residual stream of an {@code nLayer}-block model, in order. */
    public static java.util.List<HookPoint> all(int nLayer) {
        java.util.List<HookPoint> out = new java.util.ArrayList<>();
        for (int i = 0; i < nLayer; i++) {
            out.add(residPre(i));
        }
        out.add(residPost(nLayer - 1));
        return out;
    }

    /** The paper's perturbed hook, blocks.1.hook_resid_pre (block 0's input for a one-block model). */
    public static HookPoint defaultPerturbed(int nLayer) {
        return residPre(Math.min(1, nLayer - 1));
    }

    /** The paper's read hook: the last block's output. */
    public static HookPoint defaultRead(int nLayer) {
        return residPost(nLayer - 1);
    }

    /** Parses a hook name, checking that the block exists in a model of {@code nLayer} blocks. */
    public static HookPoint parse(String name, int nLayer) {
        Matcher m = NAME.matcher(name.trim());
        if (!m.matches()) {
            throw new PlateauException("Unknown hook '" + name
                    + "': use blocks.N.hook_resid_pre or blocks.N.hook_resid_post.");
        }
        int block;
        try {
            block = Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            block = Integer.MAX_VALUE;
        }
        if (block >= nLayer) {
            throw new PlateauException("The hook " + name + " names block " + m.group(1)
                    + " but the model has blocks 0 to " + (nLayer - 1) + ".");
        }
        return m.group(2).equals("pre") ? residPre(block) : residPost(block);
    }

    @Override
    public String toString() {
        return name;
    }
}
