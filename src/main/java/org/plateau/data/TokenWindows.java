package org.plateau.data;

import org.plateau.perturbation.PromptSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;

/** Every window of {@code length} consecutive tokens in a set of token sequences is a prompt. */
public final class TokenWindows implements PromptSource {

    private final List<int[]> sequences;
    private final int length;
    private final String description;
    /** Cumulative window counts: windows of sequence i are numbered starting[i]..starting[i+1]−1. */
    private final long[] starting;

    public TokenWindows(List<int[]> sequences, int length, String description) {
        this.length = length;
        this.description = description;
        this.sequences = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        long total = 0;
        for (int[] s : sequences) {
            if (s.length >= length) {
                this.sequences.add(s);
                starts.add(total);
                total += s.length - length + 1;
            }
        }
        if (total == 0) {
            throw new PlateauException("The dataset " + description + " has no window of " + length + " tokens.");
        }
        starting = new long[starts.size() + 1];
        for (int i = 0; i < starts.size(); i++) {
            starting[i] = starts.get(i);
        }
        starting[starts.size()] = total;
    }

    /** The window with the given number, 0 ≤ k < size(). */
    public int[] window(long k) {
        int i = Arrays.binarySearch(starting, k);
        if (i < 0) {
            i = -i - 2;
        }
        while (i + 1 < starting.length - 1 && starting[i + 1] == k) {
            i++;
        }
        int offset = (int) (k - starting[i]);
        return Arrays.copyOfRange(sequences.get(i), offset, offset + length);
    }

    @Override
    public int[] draw(RandomGenerator rng) {
        long n = size();
        long k = n <= Integer.MAX_VALUE ? rng.nextInt((int) n) : Math.floorMod(rng.nextLong(), n);
        return window(k);
    }

    @Override
    public long size() {
        return starting[starting.length - 1];
    }

    public int sequenceCount() {
        return sequences.size();
    }

    @Override
    public String describe() {
        return description + " (" + size() + " windows of " + length + " tokens)";
    }
}
