package org.plateau.explore;

import java.util.List;
import org.plateau.experiment.Perturbed;
import org.plateau.perturbation.Curve;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.SweepSettings;
import org.plateau.perturbation.Target;
import org.plateau.perturbation.TargetType;

/**
 * One perturbation as the explorer shows it: the perturbation itself, its tokens as text, and
 * where it came from.
 *
 * @param tokenTexts each token of the base prompt as text (or its id, for models without GPT-2's vocabulary)
 * @param seed the seed its random draws came from
 * @param source where it came from: "explorer", or the run and index it was recorded as
 */
public record Perturbation(Perturbed perturbed, List<String> tokenTexts, long seed, String source) {

    public int[] baseTokens() {
        return perturbed.baseTokens();
    }

    public TargetType baseType() {
        return perturbed.baseType();
    }

    public TargetType targetType() {
        return perturbed.targetType();
    }

    /** The target and where it came from; null when shown from a stored run without its model. */
    public Target target() {
        return perturbed.target();
    }

    /** The base activation; null when shown from a stored run without its model. */
    public float[] base() {
        return perturbed.base();
    }

    public SweepSettings settings() {
        return perturbed.sweep();
    }

    public Curve curve() {
        return perturbed.curve();
    }

    public double apThreshold() {
        return perturbed.apThreshold();
    }

    public double distance() {
        return perturbed.distance();
    }

    public int metric(Metric m) {
        return perturbed.metric(m);
    }

    /** Whether the vectors are at hand, so that latents can be shown. */
    public boolean hasVectors() {
        return perturbed.hasVectors();
    }

    /** One line for lists: the prompt's end, the type and the MS step. */
    public String describe() {
        int from = Math.max(0, tokenTexts.size() - 4);
        // token ids ("#17") need separating; text tokens carry their own spaces
        String joiner = tokenTexts.get(0).startsWith("#") ? " " : "";
        String end = String.join(joiner, tokenTexts.subList(from, tokenTexts.size())).strip();
        return "…" + end + " → " + targetType().id() + " (" + settings().mode().id() + "), MS " + metric(Metric.MS_L2);
    }
}
