package org.plateau.experiment;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.perturbation.Paper;
import org.plateau.PlateauException;
import org.plateau.perturbation.PromptSource;
import org.plateau.model.HookPoint;
import org.plateau.perturbation.Seeds;
import org.plateau.sae.Sae;

/**
 * c* of structured synthesis: the paper's 0.42 is the mean cosine between two GPT-2 activations
 * once the SAE's b_dec is subtracted from both (in the SAE's input space). {@link #measure} computes it for another model.
 */
public final class TargetCosine {

    /** Pairs of activations averaged over when measuring. */
    public static final int PAIRS = 1000;

    private TargetCosine() {}

    /** Parses {@code --target-cos}: a number, or "measure" to compute it on the lab's model and SAE. */
    public static double parse(String value, Lab lab, HookPoint hook, PromptSource prompts) {
        if (value == null) {
            return Paper.TARGET_COS;
        }
        if (value.strip().equals("measure")) {
            return measure(lab, hook, prompts, PAIRS);
        }
        try {
            double c = Double.parseDouble(value.strip());
            if (!(c >= -1 && c <= 1)) {
                throw new NumberFormatException();
            }
            return c;
        } catch (NumberFormatException e) {
            throw new PlateauException("--target-cos takes a number between -1 and 1, or 'measure', not '" + value + "'.");
        }
    }

    /** The mean of cos(x − b_dec, y − b_dec) over {@code pairs} pairs of model-generated activations. */
    public static double measure(Lab lab, HookPoint hook, PromptSource prompts, int pairs) {
        Sae sae = lab.requireSae("Measuring the target cosine");
        RandomGenerator rng = Seeds.stream(0, "target-cosine");
        List<int[]> list = new ArrayList<>();
        for (int i = 0; i < 2 * pairs; i++) {
            list.add(prompts.draw(rng));
        }
        float[][] acts = lab.model().activations(list, hook);
        double sum = 0;
        for (int p = 0; p < pairs; p++) {
            sum += cosine(sae.centred(acts[2 * p]), sae.centred(acts[2 * p + 1]));
        }
        return sum / pairs;
    }

    static double cosine(double[] x, double[] y) {
        double dot = 0;
        double nx = 0;
        double ny = 0;
        for (int i = 0; i < x.length; i++) {
            double a = x[i];
            double b = y[i];
            dot += a * b;
            nx += a * a;
            ny += b * b;
        }
        return dot / Math.sqrt(nx * ny);
    }
}
