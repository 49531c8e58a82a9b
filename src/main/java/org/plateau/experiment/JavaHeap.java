package org.plateau.experiment;

/**
 * Java's heap, handed back to the system around work that fills it with garbage.
 *
 * <p>G1 starts with 1/64 of the machine's memory committed (0.38 GB on a 24 GB machine) and lets its
 * young generation grow to most of what it has committed, and every page it touches stays
 * resident, although less than 25 MB of it is live after a collection. A full collection lets G1
 * shrink the committed heap to what is live plus its usual headroom (68 MB), and the young
 * generation then stays that small while collections are cheap. Plateau asks for one before and
 * after each statistics pass, before the first base and every tenth after it, and before a report
 * is drawn. On GPT-2 small's shape
 * with a 24,576-latent SAE, a whole {@code reproduce} that computed its statistics peaked at
 * 2.00–2.22 GB before these collections and 1.69–1.72 GB with those after each pass and every ten
 * bases; a collection takes 13–30 ms, and the bases took no longer.
 *
 * <p>A collection is also what unmaps a closed model's weights: their pages stay resident until
 * the buffers that map them are collected.
 */
public final class JavaHeap {

    /** Bases between two collections: a safety net should G1 grow the heap again. */
    static final int BASES_BETWEEN = 10;

    private JavaHeap() {}

    /** A full collection, after which G1 gives back what it has committed beyond its headroom. */
    public static void giveBack() {
        System.gc();
    }
}
