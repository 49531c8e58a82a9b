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

    public static LatentProperties of(Sae sae, List<Latent> active) {
        int n = active.size();
        double total = active.stream().mapToDouble(Latent::value).sum();
        double[] shares = active.stream().mapToDouble(l -> l.value() / total).toArray();
        if (n < 2) {
            return new LatentProperties(n, shares, Double.NaN, Double.NaN);
        }
        double pairSum = 0;
        double topSum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double c = sae.cosine(active.get(i).index(), active.get(j).index());
                pairSum += c;
                if (i == 0) {
                    topSum += c;
                }
            }
        }
        return new LatentProperties(n, shares, pairSum / (n * (n - 1) / 2.0), topSum / (n - 1));
    }
}
