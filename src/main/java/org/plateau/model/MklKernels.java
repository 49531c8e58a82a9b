package org.plateau.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Which kernels Intel MKL, the library behind libtorch's matrix products on the CPU, runs.
 *
 * <p>On AMD processors MKL does not pick its AVX2 kernels by itself. Its documented switch
 * {@code MKL_CBWR=AVX2} (conditional numerical reproducibility, AVX2 branch) makes it run them,
 * and also makes its results the same from run to run. On the CI machine's AMD EPYC, alternating
 * processes nine times each, a single sweep (products of 101 rows) ran at a median 59 % of the
 * plain matrix-multiply rate instead of 49 % (0.39 s instead of 0.46 s), and a base's batched
 * sweeps at 87 % instead of 82 %.
 *
 * <p>MKL reads the variable once, at its first call, so {@link #configure} sets it in this
 * process's environment before any product runs. A value the user set is kept (the way to turn
 * this off: {@code MKL_CBWR=AUTO}). Intel processors, and anything not Linux on x86-64, keep
 * MKL's own choice. Only speed can change, and the float32 rounding of sums with it.
 */
public final class MklKernels {

    static final String VARIABLE = "MKL_CBWR";
    static final String AVX2 = "AVX2";

    /** What {@link #configure} did, in words; null before it ran. */
    private static String outcome;

    private MklKernels() {}

    /** Sets MKL_CBWR=AVX2 on an AMD processor under Linux unless the user set MKL_CBWR; once per process. */
    public static synchronized void configure() {
        if (outcome != null) {
            return;
        }
        String user = System.getenv(VARIABLE);
        Optional<String> value = choice(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), cpuVendor(), user);
        if (value.isEmpty()) {
            outcome = user != null ? VARIABLE + "=" + user + " (set by the user)" : "MKL's own choice";
            return;
        }
        try {
            CLibrary c = CLibrary.load();
            outcome = c.setenv(VARIABLE, value.get(), 0) == 0
                    ? VARIABLE + "=" + value.get() + " (AVX2 kernels on this AMD processor)"
                    : "MKL's own choice (" + VARIABLE + " could not be set)";
        } catch (LinkageError | RuntimeException e) {
            // a speed preference only: without it MKL runs its own choice of kernels
            outcome = "MKL's own choice (" + VARIABLE + " could not be set: " + e.getMessage() + ")";
        }
    }

    /** What {@link #configure} did, for bench and reports. */
    public static synchronized String describe() {
        configure();
        return outcome;
    }

    /**
     * The value MKL_CBWR should get, if any: AVX2 on AMD processors under Linux on x86-64, when
     * the user has not set it.
     */
    static Optional<String> choice(String os, String arch, String cpuVendor, String userValue) {
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        boolean amd = "AuthenticAMD".equals(cpuVendor);
        return userValue == null && os.startsWith("Linux") && x86 && amd ? Optional.of(AVX2) : Optional.empty();
    }

    /** The processor's vendor_id from /proc/cpuinfo (its first lines), or "" when it cannot be read. */
    static String cpuVendor() {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/cpuinfo"))) {
            for (int i = 0; i < 64; i++) { // vendor_id is among the first lines of the first processor
                String line = r.readLine();
                if (line == null) {
                    break;
                }
                if (line.toLowerCase(Locale.ROOT).startsWith("vendor_id")) {
                    int colon = line.indexOf(':');
                    return colon < 0 ? "" : line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a sandbox without /proc: MKL keeps its own choice
        }
        return "";
    }
}
