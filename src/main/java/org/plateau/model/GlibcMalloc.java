package org.plateau.model;

/**
 * glibc's malloc, which hands libtorch the memory of every CPU tensor: how big a block must be
 * to get a mapping of its own, which goes back to the system when the block is freed.
 *
 * <p>That size, the mmap threshold, starts at 128 KiB and rises (up to 32 MiB) to the size of
 * each such block freed. Once it has risen, the batched sweeps' tensors of 3–13 MB come from
 * malloc's arenas, which keep their pages, and a long {@code reproduce} on GPT-2 small peaks
 * 0.1–0.2 GB higher (README, Memory). Fixing the threshold at {@link #LEAN_THRESHOLD} keeps the
 * largest tensors (the MLP's 13 MB and the attention's 10 MB in a batch of about a thousand rows)
 * on mappings of their own, for a price in speed: each arrives as fresh pages that the kernel
 * fills with zeros. Measured on GPT-2 small's shape, 16 bases a run, each beside a run without
 * it: peaks of 1.40–1.44 GB (five runs) against 1.47–1.61 GB (eleven), at 0.91–1.13× the time
 * per base of the run beside it.
 * So it is a choice ({@code --lean-memory}), not the default. Results do not change: only where
 * memory comes from does.
 */
public final class GlibcMalloc {

    /** Bytes from which a block gets a mapping of its own under {@code --lean-memory}. */
    public static final int LEAN_THRESHOLD = 8 << 20;

    /** mallopt's parameter for the mmap threshold (malloc.h). */
    static final int M_MMAP_THRESHOLD = -3;

    /** glibc's own variable for the threshold, read once when the process starts. */
    static final String VARIABLE = "MALLOC_MMAP_THRESHOLD_";

    /** What {@link #useLeanMemory} set, in words; null while it has not. */
    private static String lean;

    private GlibcMalloc() {}

    /**
     * Fixes glibc's mmap threshold at {@link #LEAN_THRESHOLD} for the rest of the process; best
     * called before the model is loaded, since blocks already placed stay where they are.
     *
     * @return null when it is in effect, else why not (no glibc here, or glibc refused)
     */
    public static synchronized String useLeanMemory() {
        if (lean != null) {
            return null;
        }
        try {
            CLibrary c = CLibrary.load();
            String version = c.gnu_get_libc_version(); // only glibc has it: elsewhere mallopt means something else, or nothing
            if (c.mallopt(M_MMAP_THRESHOLD, LEAN_THRESHOLD) != 1) {
                return "glibc " + version + " refused an mmap threshold of " + LEAN_THRESHOLD + " bytes";
            }
            lean = (LEAN_THRESHOLD >> 20) + " MiB (--lean-memory)";
            return null;
        } catch (LinkageError | RuntimeException e) {
            return "it needs glibc's malloc (Linux), which this system does not use";
        }
    }

    /** The threshold in effect, in words, for bench and reports. */
    public static synchronized String describe() {
        if (lean != null) {
            return lean;
        }
        String user = System.getenv(VARIABLE);
        if (user != null) {
            return user + " bytes (" + VARIABLE + ")";
        }
        String tunables = System.getenv("GLIBC_TUNABLES");
        if (tunables != null && tunables.contains("glibc.malloc.mmap_threshold=")) {
            return "set in GLIBC_TUNABLES (" + tunables + ")";
        }
        return "glibc's own (rises up to 32 MiB)";
    }
}
