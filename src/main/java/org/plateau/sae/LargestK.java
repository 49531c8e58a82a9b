package org.plateau.sae;

import java.util.Arrays;

/**
 * The k largest of values offered one at a time in ascending index order, ties going to the lower
 * index: a top-k SAE's choice of latents, made as a row's pre-activations arrive, block by block or
 * all at once, without keeping the row.
 */
final class LargestK {

    // a heap with the weakest kept value at its root: the smallest, and of equal ones the higher index
    private final double[] value;
    private final int[] index;
    private int size;

    LargestK(int k) {
        value = new double[k];
        index = new int[k];
    }

    /** Offers the value of index j; indices must come in ascending order. */
    void offer(int j, double v) {
        if (size < value.length) {
            value[size] = v;
            index[size] = j;
            siftUp(size++);
        } else if (size > 0 && Double.compare(v, value[0]) > 0) {
            // an equal value does not displace the root: the root's index is lower
            value[0] = v;
            index[0] = j;
            siftDown(0);
        }
    }

    /** The kept indices, ascending. */
    int[] indices() {
        int[] out = Arrays.copyOf(index, size);
        Arrays.sort(out);
        return out;
    }

    /** The kept indices whose value is above zero, ascending: those that fire after a ReLU. */
    int[] positive() {
        int n = 0;
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            if (value[i] > 0) {
                out[n++] = index[i];
            }
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    private boolean weaker(int a, int b) {
        int c = Double.compare(value[a], value[b]);
        return c < 0 || (c == 0 && index[a] > index[b]);
    }

    private void siftUp(int i) {
        while (i > 0 && weaker(i, (i - 1) / 2)) {
            swap(i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int weakest = i;
            for (int child = 2 * i + 1; child <= 2 * i + 2 && child < size; child++) {
                if (weaker(child, weakest)) {
                    weakest = child;
                }
            }
            if (weakest == i) {
                return;
            }
            swap(i, weakest);
            i = weakest;
        }
    }

    private void swap(int a, int b) {
        double v = value[a];
        value[a] = value[b];
        value[b] = v;
        int j = index[a];
        index[a] = index[b];
        index[b] = j;
    }
}
