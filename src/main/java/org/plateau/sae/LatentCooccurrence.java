package org.plateau.sae;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.plateau.PlateauException;
import org.plateau.io.Safetensors;
import org.plateau.io.SafetensorsWriter;

/**
 * Which latents fire together over N activations (METHOD §4.8): F(j), the activations in which
 * latent j is active, and for any latent t, C(t, j), those in which both are. Latent j is positively
 * associated with t when C(t, j) > F(j)·F(t)/N, decided in whole numbers (C·N > F(j)·F(t)), so
 * that no rounding moves a latent across the line.
 *
 * <p>Held as each activation's active latents, concatenated: C(t, ·) for one t walks only the
 * activations in which t fired.
 */
public final class LatentCooccurrence {

    private final int width;
    private final int[] offsets; // activation a's latents are latents[offsets[a] .. offsets[a + 1])
    private final int[] latents;
    private final int[] firing;

    private LatentCooccurrence(int width, int[] offsets, int[] latents) {
        this.width = width;
        this.offsets = offsets;
        this.latents = latents;
        this.firing = new int[width];
        for (int a = 0; a + 1 < offsets.length; a++) {
            if (offsets[a + 1] < offsets[a]) {
                throw new PlateauException("Firing statistics whose activations are out of order.");
            }
            for (int k = offsets[a]; k < offsets[a + 1]; k++) {
                int j = latents[k];
                if (j < 0 || j >= width || (k > offsets[a] && latents[k - 1] >= j)) {
                    throw new PlateauException("Firing statistics with a latent out of range or out of order.");
                }
                firing[j]++;
            }
        }
    }

    /** From each activation's active latents, ascending. */
    public static LatentCooccurrence of(List<int[]> activeSets, int width) {
        int[] offsets = new int[activeSets.size() + 1];
        long total = 0;
        for (int a = 0; a < activeSets.size(); a++) {
            total += activeSets.get(a).length;
            if (total > Integer.MAX_VALUE - 8) {
                throw new PlateauException("Too many firings to hold (over 2^31).");
            }
            offsets[a + 1] = (int) total;
        }
        int[] latents = new int[(int) total];
        for (int a = 0; a < activeSets.size(); a++) {
            System.arraycopy(activeSets.get(a), 0, latents, offsets[a], activeSets.get(a).length);
        }
        return new LatentCooccurrence(width, offsets, latents);
    }

    /** The number of activations, N. */
    public int activations() {
        return offsets.length - 1;
    }

    public int width() {
        return width;
    }

    /** F(j). */
    public int firing(int latent) {
        return firing[latent];
    }

    /** C(t, j) for every j. */
    public int[] cofiring(int t) {
        int[] c = new int[width];
        for (int a = 0; a + 1 < offsets.length; a++) {
            if (java.util.Arrays.binarySearch(latents, offsets[a], offsets[a + 1], t) >= 0) {
                for (int k = offsets[a]; k < offsets[a + 1]; k++) {
                    c[latents[k]]++;
                }
            }
        }
        return c;
    }

    /** Whether each latent fires with t more often than independence predicts. */
    public boolean[] positivelyAssociated(int t) {
        int[] c = cofiring(t);
        long n = activations();
        boolean[] out = new boolean[width];
        for (int j = 0; j < width; j++) {
            out[j] = c[j] * n > (long) firing[j] * firing[t];
        }
        return out;
    }

    public void save(Path file) {
        new SafetensorsWriter().put("offsets", offsets, offsets.length).put("latents", latents, latents.length)
                .metadata("width", Integer.toString(width)).write(file);
    }

    public static LatentCooccurrence load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new PlateauException("No firing statistics at " + file + ".");
        }
        try (Safetensors s = Safetensors.open(file)) {
            int width;
            try {
                width = Integer.parseInt(s.metadata().getOrDefault("width", ""));
            } catch (NumberFormatException e) {
                throw new PlateauException("The firing statistics " + file + " do not say their width.");
            }
            int[] offsets = s.loadInts("offsets");
            int[] latents = s.loadInts("latents");
            if (width < 1 || offsets.length < 1 || offsets[0] != 0 || offsets[offsets.length - 1] != latents.length) {
                throw new PlateauException("The firing statistics " + file + " are inconsistent.");
            }
            return new LatentCooccurrence(width, offsets, latents);
        }
    }
}
