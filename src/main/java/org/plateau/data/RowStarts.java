package org.plateau.data;

import org.plateau.perturbation.PromptSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;

/**
 * The paper's way of drawing prompts: the first {@code length} tokens of a random row (document)
 * of a dataset. Rows shorter than that are left out.
 */
public final class RowStarts implements PromptSource {

    private final List<int[]> starts = new ArrayList<>();
    private final String description;

    public RowStarts(List<int[]> rows, int length, String description) {
        for (int[] r : rows) {
            if (r.length >= length) {
                starts.add(Arrays.copyOf(r, length));
            }
        }
        this.description = description;
        if (starts.isEmpty()) {
            throw new PlateauException("The dataset " + description + " has no row of at least " + length + " tokens.");
        }
    }

    public int[] row(int k) {
        return starts.get(k).clone();
    }

    @Override
    public int[] draw(RandomGenerator rng) {
        return row(rng.nextInt(starts.size()));
    }

    @Override
    public long size() {
        return starts.size();
    }

    @Override
    public String describe() {
        return description + " (first " + starts.get(0).length + " tokens of " + starts.size() + " rows)";
    }
}
