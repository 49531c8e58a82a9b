package org.plateau.plot;

import java.awt.Color;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The anatomy of a blow-up as charts: what the read layer's SAE latents do across a sweep, and what
 * removing each of a base's latents does at the read hook. The window's anatomy views export through
 * these, so that they too come as PNG, SVG or PDF.
 */
public final class AnatomyCharts {

    private AnatomyCharts() {}

    /** Lines in the strip chart at most: more would be a tangle and a legend taller than the chart. */
    public static final int MAX_STRIP_LINES = 8;

    /** Distinct colours for latents (Okabe–Ito, then greys): latents are not activation types. */
    private static final Color[] LATENT_COLOURS = {Color.decode("#0072B2"), Color.decode("#D55E00"),
        Color.decode("#009E73"), Color.decode("#CC79A7"), Color.decode("#E69F00"), Color.decode("#56B4E9"),
        Color.decode("#222222"), Color.decode("#999999")};

    private static final Color ABLATION = Color.decode("#7a5195");

    /**
     * Each read-layer latent's value step by step, the {@link #MAX_STRIP_LINES} strongest of the
     * strip (by their largest value), with the MS step marked.
     *
     * @param values values[row][step] of {@code latents[row]}
     */
    public static Chart readLayerStrip(int[] latents, double[][] values, int ms) {
        Integer[] rows = IntStream.range(0, latents.length).boxed().toArray(Integer[]::new);
        Arrays.sort(rows, Comparator.comparingDouble((Integer r) -> -Arrays.stream(values[r]).max().orElse(0))
                .thenComparingInt(r -> r));
        Chart c = new Chart(latents.length > MAX_STRIP_LINES
                ? "The " + MAX_STRIP_LINES + " strongest of " + latents.length + " read-layer latents"
                : "Read-layer latents across the sweep").labels("step", "latent activation").wholeX();
        double top = 0;
        for (int k = 0; k < Math.min(MAX_STRIP_LINES, rows.length); k++) {
            double[] v = values[rows[k]];
            top = Math.max(top, Arrays.stream(v).max().orElse(0));
            c.line("latent " + latents[rows[k]], IntStream.range(0, v.length).asDoubleStream().toArray(), v,
                    LATENT_COLOURS[k], false);
        }
        if (ms >= 0) {
            c.line("MS step " + ms, new double[] {ms, ms}, new double[] {0, top}, Color.GRAY, true);
        }
        return c;
    }

    /** How much each latent changed from the step before MS to the step after it (after − before). */
    public static Chart readLayerChanges(int[] latents, String[] kinds, double[] before, double[] after, int ms) {
        double[] change = new double[latents.length];
        String[] names = new String[latents.length];
        for (int i = 0; i < latents.length; i++) {
            change[i] = after[i] - before[i];
            names[i] = latents[i] + " " + kinds[i];
        }
        return new Chart("From step " + (ms - 1) + " to step " + (ms + 1)).labels("read-layer latent", "change")
                .categories(names).bars(null, change, LATENT_COLOURS[0]).noLegend();
    }

    /** L2 at the read hook, or KL, of removing each latent from the base, in the order given. */
    public static Chart ablations(int[] latents, double[] values, boolean kl) {
        String[] names = Arrays.stream(latents).mapToObj(Integer::toString).toArray(String[]::new);
        return new Chart(kl ? "KL of the next-token distribution" : "L2 at the read hook")
                .labels("latent removed from the base", kl ? "KL" : "L2").categories(names)
                .bars(null, values, ABLATION).noLegend();
    }
}
