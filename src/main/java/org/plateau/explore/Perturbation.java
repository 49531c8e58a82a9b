package org.plateau.explore;

import java.util.List;
import org.plateau.perturbation.Curve;
import org.plateau.perturbation.SweepSettings;
import org.plateau.perturbation.Target;
import org.plateau.perturbation.TargetType;

/**
 * One perturbation as the explorer shows it.
 *
 * @param baseTokens the prompt whose last position is perturbed
 * @param tokenTexts each token as text (or its id, for models without GPT-2's vocabulary)
 * @param baseType what the base activation is (model-generated, or a plateau base type)
 * @param target the target and where it came from
 * @param base the base activation (null when shown from a stored run without its model)
 * @param curve L2 and KL per step
 * @param apThreshold the L2 level of the activation plateau
 * @param seed the seed its random draws came from
 * @param source where it came from: "explorer", or the run and index it was recorded as
 */
public record Perturbation(int[] baseTokens, List<String> tokenTexts, TargetType baseType, TargetType targetType,
        Target target, float[] base, SweepSettings settings, Curve curve, double apThreshold, double distance,
        long seed, String source) {

    public int msL2() {
        return curve.msL2();
    }

    public int msKl() {
        return curve.msKl();
    }

    public int aucL2() {
        return curve.aucL2();
    }

    public int nlL2() {
        return curve.nlL2();
    }

    public int apL2() {
        return curve.apL2(apThreshold);
    }

    /** Whether the vectors are at hand, so that latents can be shown. */
    public boolean hasVectors() {
        return base != null && target != null && target.activation() != null;
    }

    /** One line for lists: the prompt's end, the type and the MS step. */
    public String describe() {
        int from = Math.max(0, tokenTexts.size() - 4);
        // token ids ("#17") need separating; text tokens carry their own spaces
        String joiner = tokenTexts.get(0).startsWith("#") ? " " : "";
        String end = String.join(joiner, tokenTexts.subList(from, tokenTexts.size())).strip();
        return "…" + end + " → " + targetType.id() + " (" + settings.mode().id() + "), MS " + msL2();
    }
}
