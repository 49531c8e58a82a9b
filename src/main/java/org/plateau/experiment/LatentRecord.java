package org.plateau.experiment;

/**
 * Appendix E: the SAE code of one activation of a study, as the SAE sees it (encode of the vector).
 *
 * @param index the base's number
 * @param type which activation: model-generated (the base itself) or one of the target types
 * @param activeCount latents with z > 0
 * @param shares z_k / Σz of the strongest latents, strongest first (at most {@link #MAX_SHARES})
 * @param meanPairwiseCos mean cosine among the active latents' decoder rows (null below two latents)
 * @param meanCosToTop mean cosine of the others to the strongest (null below two latents)
 * @param norm ‖x‖
 * @param distanceToBase ‖x − A‖, its distance to the base of its index
 */
public record LatentRecord(int index, String type, int activeCount, double[] shares, Double meanPairwiseCos,
        Double meanCosToTop, double norm, double distanceToBase) {

    public static final int MAX_SHARES = 32;

    public double topShare() {
        return shares.length == 0 ? Double.NaN : shares[0];
    }
}
