package org.plateau.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LargestKTest {

    /** The reference: sort every index by value, largest first, ties by the lower index, keep k. */
    private static int[] bySorting(double[] v, int k) {
        return IntStream.range(0, v.length).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> v[j]).reversed().thenComparingInt(j -> j))
                .limit(k).mapToInt(Integer::intValue).sorted().toArray();
    }

    @Test
    void keepsTheKLargestWithTiesToTheLowerIndex() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rng.nextInt(60);
            int k = 1 + rng.nextInt(12);
            double[] v = new double[n];
            for (int j = 0; j < n; j++) {
                v[j] = rng.nextInt(7) - 3; // few distinct values: many ties
            }
            LargestK best = new LargestK(k);
            for (int j = 0; j < n; j++) {
                best.offer(j, v[j]);
            }
            int[] want = bySorting(v, k);
            assertArrayEquals(want, best.indices(), "trial " + trial);
            assertArrayEquals(IntStream.of(want).filter(j -> v[j] > 0).toArray(), best.positive(), "trial " + trial);
        }
    }
}
