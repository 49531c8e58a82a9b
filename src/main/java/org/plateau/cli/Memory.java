package org.plateau.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, from /proc (Linux); 0 where it cannot be read. */
final class Memory {

    private Memory() {}

    static long residentBytes() {
        return statusField("VmRSS:");
    }

    static long peakResidentBytes() {
        return statusField("VmHWM:");
    }

    /** Starts the peak anew (Linux: 5 to /proc/self/clear_refs), so that a later peak is of what ran since. */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // elsewhere the peak stays the process's
        }
    }

    private static long statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
