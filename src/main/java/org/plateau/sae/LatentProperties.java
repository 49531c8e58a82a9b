package org.plateau.sae;

import java.util.List;

/**
 * The make-up of one activation's SAE code (paper appendix E): how many latents are active, each
 * rank's share of the total value, and how aligned the active latents' decoder rows are.
 *
 * @param activeCount number of active latents
 * @param shares z_k / Σz for each rank k, strongest first
 * @param meanPairwiseCos mean cosine over pairs of active latents (NaN with fewer than two)
 * @param meanCosToTop mean cosine of the others to the strongest (NaN with fewer than two)
 */
public record LatentProperties(int activeCount, double[] shares, double meanPairwiseCos, double meanCosToTop) {

    public double topShare() {
        return shares.length == 0 ? Double.NaN : shares[0];
    }

    /**
     * With u_i the unit decoder rows of the k active latents, Σ_{i≠j} u_i·u_j = ‖Σ u_i‖² − k, so the
     * mean over pairs costs O(k·d) instead of O(k²·d): an SAE where thousands of latents fire
     * cannot stall a run.
     */
    public static LatentProperties of(Sae sae, List<Latent> active) {
        int n = active.size();
        double total = active.stream().mapToDouble(Latent::value).sum();
        double[] shares = active.stream().mapToDouble(l -> l.value() / total).toArray();
        if (n < 2) {
            return new LatentProperties(n, shares, Double.NaN, Double.NaN);
        }
        double[] sum = new double[sae.config().dIn()];
        for (Latent l : active) {
            sae.addUnitDecoderRow(sum, l.index());
        }
        double sumSquared = 0;
        for (double v : sum) {
            sumSquared += v * v;
        }
        double[] top = new double[sum.length];
        sae.addUnitDecoderRow(top, active.get(0).index());
        double topDotSum = 0;
        for (int i = 0; i < sum.length; i++) {
            topDotSum += top[i] * sum[i];
        }
        double pairwise = (sumSquared - n) / ((double) n * (n - 1));
        double toTop = (topDotSum - 1) / (n - 1); // u_top·u_top = 1 is not a pair
        return new LatentProperties(n, shares, pairwise, toTop);
    }
}
