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

    /** Progress of counted work; {@code done} never shows beyond {@code total}. */
    void update(String what, long done, long total, double perSecond, String unit) {
        long now = System.nanoTime();
        boolean last = done >= total;
        if (!terminal && !last && now - lastPrint < 10_000_000_000L) {
            return;
        }
        lastPrint = now;
        String left = perSecond > 0 && !last ? " · " + duration((total - done) / perSecond) + " left" : "";
        String rate = perSecond > 0 ? String.format(" · %.2f %s/s", perSecond, unit) : "";
        String line = String.format("%s: %d/%d %s (%d%%)%s%s", what, Math.min(done, total), total, unit,
                total <= 0 ? 100 : 100 * Math.min(done, total) / total, rate, left);
        print(line, last);
    }

    private long bytesStart;
    private long bytesStartDone;
    private long bytesLastDone;
    private String bytesWhat;

    /**
     * A download: done and total in bytes (total −1 when unknown). The rate counts only what
     * arrived since this transfer began: bytes kept from an interrupted one are not speed.
     */
    void bytes(String what, long done, long total) {
        long now = System.nanoTime();
        if (!what.equals(bytesWhat) || done < bytesLastDone) {
            bytesWhat = what;
            bytesStart = now;
            bytesStartDone = done;
            lastPrint = 0;
        }
        bytesLastDone = done;
        boolean last = total >= 0 && done >= total;
        if (!terminal && !last && now - lastPrint < 10_000_000_000L) {
            return;
        }
        lastPrint = now;
        double seconds = (now - bytesStart) / 1e9;
        double rate = seconds < 0.05 ? 0 : (done - bytesStartDone) / seconds;
        String speed = rate > 0 ? String.format(" · %.1f MB/s", rate / 1e6) : "";
        String left = !last && rate > 0 && total >= 0 ? " · " + duration((total - done) / rate) + " left" : "";
        String line = total >= 0
                ? String.format("%s: %.1f of %.1f MB (%d%%)%s%s", what, done / 1e6, total / 1e6,
                        100 * done / Math.max(1, total), speed, left)
                : String.format("%s: %.1f MB%s", what, done / 1e6, speed);
        print(line, last);
    }

    /** Downloads shown on this line, and a note when another process is fetching the same file. */
    org.plateau.hub.DownloadListener downloads() {
        return new org.plateau.hub.DownloadListener() {
            @Override
            public void progress(String file, long done, long total) {
                bytes("downloading " + file, done, total);
            }

            @Override
            public void waiting(String file) {
                print("waiting: another process is downloading " + file + " into the cache", true);
            }
        };
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
