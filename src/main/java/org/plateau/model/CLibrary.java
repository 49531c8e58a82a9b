package org.plateau.model;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The few C library functions Plateau calls for the native code beside it (libtorch, MKL, glibc's
 * malloc). JNA binds each one at its first call, so a function missing on some system (glibc's
 * own, on macOS) fails only where it is called.
 */
interface CLibrary extends Library {

    /** The C environment, which native code reads (Java's own copy is fixed at start-up). */
    int setenv(String name, String value, int overwrite);

    /** glibc's version; only glibc has it. */
    String gnu_get_libc_version();

    /** A malloc parameter (malloc.h); 1 when it was taken. */
    int mallopt(int param, int value);

    static CLibrary load() {
        return Native.load("c", CLibrary.class);
    }
}
