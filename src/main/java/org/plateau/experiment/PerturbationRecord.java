package org.plateau.experiment;

import java.util.List;

/**
 * One perturbation of a study, as results.json lists it.
 *
 * @param experiment sensitivity, relative or plateau
 * @param mode absolute or relative
 * @param index the base's number, 0..n−1 (everything of one index shares its base prompt)
 * @param baseType what the base activation is (model-generated, or a plateau base type)
 * @param targetType what the target is
 * @param baseTokens the prompt whose last position is perturbed
 * @param targetTokens the prompt the target came from (model-generated, sae-reconstruction), else null
 * @param targetStream the random stream the target was drawn from, reproducible from the seed
 * @param chosenLatents the latents a synthetic target was composed of, else null
 * @param distance ‖T − A‖
 * @param l2 L2 at the read hook per step
 * @param kl KL of the next-token distribution per step
 */
public record PerturbationRecord(String experiment, String mode, int index, String baseType, String targetType,
        int[] baseTokens, int[] targetTokens, String targetStream, List<Integer> chosenLatents, double distance,
        float[] l2, float[] kl, int msL2, int msKl, int aucL2, int nlL2, int apL2) {

    /** Whether this record is of an experiment and step mode, with the given base or target type. */
    public boolean of(String experiment, org.plateau.perturbation.StepMode mode, boolean byBase,
            org.plateau.perturbation.TargetType type) {
        return this.experiment.equals(experiment) && this.mode.equals(mode.id())
                && (byBase ? baseType : targetType).equals(type.id());
    }

    /** A metric by the name the tables use. */
    public int metric(Metric m) {
        return switch (m) {
            case MS_L2 -> msL2;
            case MS_KL -> msKl;
            case AUC_L2 -> aucL2;
            case NL_L2 -> nlL2;
            case AP_L2 -> apL2;
        };
    }
}
