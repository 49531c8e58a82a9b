package org.plateau.sae;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;

/**
 * Activations composed of SAE latents (METHOD §4, types 3–6). Each keeps the base activation's
 * latent values, strongest first, and puts them on other latents:
 *
 * <ul>
 *   <li>random: uniformly random non-dead latents;
 *   <li>baseline: for each latent, one of its 10 nearest non-dead neighbours in log-sparsity;
 *   <li>structured: a top latent of similar sparsity at cosine c* to the base's top latent, then
 *       latents whose cosines to it mirror the base latents' cosines to the base's top latent;
 *   <li>structured without cosine: as structured, with the top latent simply the nearest in sparsity;
 *   <li>co-occurrence (Plateau's extension): as structured, each later latent picked among those that
 *       fire with the top latent more often than independence predicts ({@link LatentCooccurrence}).
 * </ul>
 */
public final class SyntheticActivations {

    /** How many sparsity neighbours the baseline draws from. */
    public static final int BASELINE_NEIGHBOURS = 10;
    /** How many sparsity neighbours of the base's top latent the structured top latent is chosen from. */
    public static final int STRUCTURED_CANDIDATES = 100;

    /**
     * A synthetic activation.
     *
     * @param baseActive the base's active latents, strongest first
     * @param chosen the latent that took each base latent's value, in the same order
     * @param latents the synthetic code (chosen latent, value)
     * @param activation decode of that code
     * @param pools co-occurrence only: how many latents each pick after the top one was made among
     *     (empty for the other methods)
     */
    public record Synthesis(List<Latent> baseActive, List<Integer> chosen, List<Latent> latents, float[] activation,
            List<Integer> pools) {}

    private final Sae sae;

    public SyntheticActivations(Sae sae) {
        this.sae = sae;
    }

    public Synthesis random(float[] base, RandomGenerator rng) {
        List<Latent> active = activeOf(base);
        int[] alive = sae.aliveLatents();
        if (active.size() > alive.length) {
            throw new PlateauException("The base has more active latents than the SAE has live ones.");
        }
        // partial Fisher–Yates: k distinct live latents, uniformly
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < active.size(); i++) {
            int j = i + rng.nextInt(alive.length - i);
            int tmp = alive[i];
            alive[i] = alive[j];
            alive[j] = tmp;
            chosen.add(alive[i]);
        }
        return build(base, active, chosen, List.of());
    }

    public Synthesis baseline(float[] base, RandomGenerator rng) {
        List<Latent> active = activeOf(base);
        List<Integer> chosen = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        for (Latent l : active) {
            // "no repeats": latents already used are not among the neighbours drawn from
            List<Integer> near = sae.sparsityNeighbours(l.index(), BASELINE_NEIGHBOURS, taken);
            if (near.isEmpty()) {
                throw new PlateauException("The SAE has too few live latents for a baseline synthesis.");
            }
            int pick = near.get(rng.nextInt(near.size()));
            chosen.add(pick);
            taken.add(pick);
        }
        return build(base, active, chosen, List.of());
    }

    public Synthesis structured(float[] base, double targetCos) {
        return structured(base, targetCos, true, null);
    }

    public Synthesis structuredNoCos(float[] base) {
        return structured(base, Double.NaN, false, null);
    }

    /**
     * METHOD §4.8: as {@link #structured}, each later latent chosen among the live latents that
     * fire together with the top latent in {@code firings} more often than independence predicts
     * (among all live latents when none of those is left).
     */
    public Synthesis cooccurrence(float[] base, double targetCos, LatentCooccurrence firings) {
        if (firings.width() != sae.width()) {
            throw new PlateauException("The firing statistics are of an SAE of " + firings.width() + " latents, not "
                    + sae.width() + ".");
        }
        return structured(base, targetCos, true, firings);
    }

    private Synthesis structured(float[] base, double targetCos, boolean useCos, LatentCooccurrence firings) {
        List<Latent> active = activeOf(base);
        int topBase = active.get(0).index();
        List<Integer> candidates = sae.sparsityNeighbours(topBase, STRUCTURED_CANDIDATES, Set.of());
        if (candidates.isEmpty()) {
            throw new PlateauException("The SAE has no live latent besides the base's top latent.");
        }
        double[] cosToTopBase = sae.cosinesTo(topBase);
        int topSynth = candidates.get(0);
        if (useCos) {
            // nearest to c*, ties to the lower index
            double best = Double.POSITIVE_INFINITY;
            for (int c : candidates) {
                double gap = Math.abs(cosToTopBase[c] - targetCos);
                if (gap < best || (gap == best && c < topSynth)) {
                    best = gap;
                    topSynth = c;
                }
            }
        }
        double[] cosToTopSynth = sae.cosinesTo(topSynth);
        List<Integer> chosen = new ArrayList<>(List.of(topSynth));
        boolean[] used = new boolean[sae.width()];
        used[topSynth] = true;
        int[] alive = sae.aliveLatents();
        boolean[] associated = firings == null ? null : firings.positivelyAssociated(topSynth);
        List<Integer> pools = new ArrayList<>();
        for (Latent l : active.subList(1, active.size())) {
            double want = cosToTopBase[l.index()];
            boolean restrict = false;
            int pool = 0;
            if (associated != null) {
                for (int j : alive) {
                    pool += !used[j] && associated[j] ? 1 : 0;
                }
                restrict = pool > 0;
                if (!restrict) {
                    for (int j : alive) {
                        pool += used[j] ? 0 : 1;
                    }
                }
                pools.add(pool);
            }
            int pick = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int j : alive) { // ascending, so the first of equal gaps is the lower index
                if (!used[j] && (!restrict || associated[j]) && Math.abs(cosToTopSynth[j] - want) < best) {
                    best = Math.abs(cosToTopSynth[j] - want);
                    pick = j;
                }
            }
            if (pick < 0) {
                throw new PlateauException("The SAE has too few live latents for a structured synthesis.");
            }
            chosen.add(pick);
            used[pick] = true;
        }
        return build(base, active, chosen, pools);
    }

    private List<Latent> activeOf(float[] base) {
        List<Latent> active = sae.activeLatents(base);
        if (active.isEmpty()) {
            throw new PlateauException("The base activation has no active SAE latent to build a synthetic one from.");
        }
        return active;
    }

    private Synthesis build(float[] base, List<Latent> active, List<Integer> chosen, List<Integer> pools) {
        List<Latent> code = new ArrayList<>();
        for (int i = 0; i < active.size(); i++) {
            code.add(new Latent(chosen.get(i), active.get(i).value()));
        }
        return new Synthesis(List.copyOf(active), List.copyOf(chosen), List.copyOf(code), sae.decode(code, base),
                List.copyOf(pools));
    }
}
