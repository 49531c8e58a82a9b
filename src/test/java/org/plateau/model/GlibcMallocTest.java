package org.plateau.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.junit.jupiter.api.Test;

class GlibcMallocTest {

    static boolean glibc() {
        try {
            return CLibrary.load().gnu_get_libc_version() != null;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * glibc marks a block that has a mapping of its own in its chunk's size word, just below the
     * pointer malloc returns (bit 1, IS_MMAPPED). With the threshold at 8 MiB a block above it has
     * one and a 1 MiB block does not; with glibc's own threshold either fails (it starts at 128 KiB,
     * so 1 MiB would be mapped, and rises to the largest block freed, so 9 MiB may not be).
     */
    @Test
    void leanMemoryMapsTheLargestBlocksOnTheirOwn() {
        assumeTrue(glibc(), "the mmap threshold is glibc's");
        assertNull(GlibcMalloc.useLeanMemory());
        long big = Native.malloc(GlibcMalloc.LEAN_THRESHOLD + (1 << 20));
        long small = Native.malloc(1 << 20);
        try {
            assertTrue(mapped(big), "a block above the threshold has a mapping of its own");
            assertFalse(mapped(small), "a block below it comes from malloc's arenas");
        } finally {
            Native.free(big);
            Native.free(small);
        }
        assertTrue(GlibcMalloc.describe().startsWith("8 MiB (--lean-memory)"), GlibcMalloc.describe());
        assertNull(GlibcMalloc.useLeanMemory(), "asking again is harmless");
    }

    private static boolean mapped(long block) {
        return (new Pointer(block).getLong(-8) & 2) != 0;
    }
}
