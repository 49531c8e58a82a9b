package org.plateau.experiment;

/**
 * Java's heap, handed back to the system after work that fills it with garbage.
 *
 * <p>G1 lets its young generation grow to most of the heap it has committed (0.39–0.47 GB in a
 * {@code reproduce} on GPT-2 small), and every page of it stays resident, although less than 25 MB
 * of it is live after a collection. A full collection lets G1 shrink the committed heap to what is
 * live plus its usual headroom, and the young generation then stays that small while collections
 * are cheap. Measured on GPT-2 small's shape with a 24,576-latent SAE: a whole {@code reproduce}
 * that computed its statistics peaked at 1.69 GB instead of 2.00–2.22 GB, its bases at 1.46–1.58 GB
 * instead of 1.85–1.96 GB; a collection took 13–26 ms, and the bases took no longer.
 */
final class JavaHeap {

    /** Bases between two collections: a safety net should G1 grow the heap again. */
    static final int BASES_BETWEEN = 10;

    private JavaHeap() {}

    /** A full collection, after which G1 gives back what it has committed beyond its headroom. */
    static void giveBack() {
        System.gc();
    }
}
