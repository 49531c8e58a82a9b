package org.plateau.cli;

import java.io.PrintStream;

/**
 * A progress line on stderr: "what: done/total (pct) · rate · time left". On a terminal it
 * rewrites itself in place; in a log it prints a line at most every ten seconds, and the last one.
 */
final class ProgressLine {

    private final PrintStream err;
    private final boolean terminal = System.console() != null;
    private long lastPrint;

    ProgressLine(PrintStream err) {
        this.err = err;
    }

    void update(String what, long done, long total, double perSecond, String unit) {
        long now = System.nanoTime();
        boolean last = done >= total;
        if (!terminal && !last && now - lastPrint < 10_000_000_000L) {
            return;
        }
        lastPrint = now;
        String left = perSecond > 0 && !last ? " · " + duration((total - done) / perSecond) + " left" : "";
        String rate = perSecond > 0 ? String.format(" · %.2f %s/s", perSecond, unit) : "";
        String line = String.format("%s: %d/%d %s (%d%%)%s%s", what, done, total, unit,
                total == 0 ? 100 : 100 * done / total, rate, left);
        print(line, last);
    }

    private long bytesStart;
    private String bytesWhat;

    /** A download: done and total in bytes (total −1 when unknown), with its rate since it began. */
    void bytes(String what, long done, long total) {
        long now = System.nanoTime();
        if (!what.equals(bytesWhat)) {
            bytesWhat = what;
            bytesStart = now;
            lastPrint = 0;
        }
        boolean last = total >= 0 && done >= total;
        if (!terminal && !last && now - lastPrint < 10_000_000_000L) {
            return;
        }
        lastPrint = now;
        double seconds = Math.max(1e-3, (now - bytesStart) / 1e9);
        double rate = done / seconds;
        String line = total >= 0
                ? String.format("%s: %.1f of %.1f MB (%d%%) · %.1f MB/s%s", what, done / 1e6, total / 1e6,
                        100 * done / Math.max(1, total), rate / 1e6, last ? "" : " · " + duration((total - done) / Math.max(1, rate)) + " left")
                : String.format("%s: %.1f MB · %.1f MB/s", what, done / 1e6, rate / 1e6);
        print(line, last);
    }

    /** On a terminal, rewrite the line in place (ending it after the last); in a log, one line each. */
    private void print(String line, boolean last) {
        if (terminal) {
            err.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
        } else {
            err.println(line);
        }
        err.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 90) {
            return s + " s";
        }
        if (s < 5400) {
            return Math.round(s / 60.0) + " min";
        }
        return String.format("%.1f h", s / 3600.0);
    }
}
