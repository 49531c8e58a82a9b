package org.plateau.experiment;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.plateau.PlateauException;

/**
 * The folder a study writes into, held for the run. It must be new, empty, or hold a run of
 * Plateau's: a user's own files are never overwritten unless asked ({@code force}), and two
 * processes never write one run (a lock file, held while the run goes).
 */
public final class RunFolder implements AutoCloseable {

    static final String LOCK = ".plateau.lock";
    /** What a run of Plateau's leaves in its folder (a layer study: its manifest, summary and layer runs). */
    static final Set<String> OWN = Set.of(Journal.FILE_NAME, StudyResults.FILE_NAME, "report.md", "figures", LOCK,
            LayerStudy.MANIFEST, LayerSummary.FILE_NAME);

    private static boolean own(String name) {
        return OWN.contains(name) || name.matches("layer-\\d{2,}") || (name.startsWith(".") && name.endsWith(".part"));
    }

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean created;

    private RunFolder(Path dir, FileChannel channel, FileLock lock, boolean created) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.created = created;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Refuses, before anything is loaded or written, a folder that cannot take the run.
     *
     * @param resume the run continues the one in the folder
     * @param force the folder may hold other files; an earlier run there starts over
     */
    public static void check(Path out, boolean resume, boolean force) {
        if (out.toString().isBlank()) {
            throw new PlateauException("--out needs a folder name.");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new PlateauException("The output path " + out + " is a file, not a folder.");
        }
        if (!Files.isDirectory(out)) {
            Path existing = out.toAbsolutePath().getParent();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
                throw new PlateauException("The output folder " + out + " cannot be written ("
                        + (existing == null ? "no such place" : existing + (Files.isDirectory(existing)
                                ? " is not writable" : " is a file")) + ").");
            }
            return;
        }
        if (force) {
            return;
        }
        List<String> foreign = foreign(out);
        if (!foreign.isEmpty()) {
            throw new PlateauException("The folder " + out + " holds files that are not a run of Plateau's ("
                    + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                    + (foreign.size() > 3 ? ", …" : "") + "); choose a new or empty folder, or pass --force to write"
                    + " into it anyway.");
        }
        if (!resume && holdsRun(out)) {
            throw new PlateauException("The folder " + out + " already holds a run; continue it with --resume, start it"
                    + " over with --force, or choose another --out.");
        }
    }

    /** Checks, creates and locks the folder; with {@code force} (and no resume) an earlier run's files go. */
    public static RunFolder open(Path out, boolean resume, boolean force) {
        check(out, resume, force);
        FileChannel ch = null;
        boolean created = !Files.exists(out);
        try {
            Files.createDirectories(out);
            ch = FileChannel.open(out.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                throw new PlateauException("Another Plateau run is writing into " + out + "; wait for it to finish, or"
                        + " choose another --out.");
            }
            RunFolder f = new RunFolder(out, ch, lock, created);
            if (!resume && (force || !holdsRun(out))) {
                f.clearOwnFiles(); // a stub journal of a run refused before its first base, or what --force replaces
            }
            return f;
        } catch (IOException | SecurityException e) {
            closeQuietly(ch);
            throw new PlateauException("The output folder " + out + " cannot be written (" + e.getMessage() + ").");
        }
    }

    /** Whether the folder holds work to continue: a journal with at least one finished base, or results. */
    static boolean holdsRun(Path out) {
        if (Files.exists(out.resolve(StudyResults.FILE_NAME)) || LayerStudy.holdsStudy(out)) {
            return true;
        }
        Path journal = out.resolve(Journal.FILE_NAME);
        try {
            if (!Files.isRegularFile(journal)) {
                return false;
            }
            try (Stream<String> lines = Files.lines(journal)) {
                return lines.filter(l -> !l.isBlank()).limit(2).count() > 1;
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return true; // unreadable: treated as a run, never silently replaced
        }
    }

    /** Names in the folder that are not Plateau's (temporary ".….part" files of an interrupted write are). */
    private static List<String> foreign(Path out) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> !own(n))
                    .sorted()
                    .forEach(names::add);
        } catch (IOException e) {
            throw new PlateauException("The output folder " + out + " cannot be read (" + e.getMessage() + ").");
        }
        return names;
    }

    private void clearOwnFiles() throws IOException {
        for (String name : List.of(Journal.FILE_NAME, StudyResults.FILE_NAME, "report.md", LayerStudy.MANIFEST,
                LayerSummary.FILE_NAME)) {
            Files.deleteIfExists(dir.resolve(name));
        }
        Path figures = dir.resolve("figures");
        if (Files.isDirectory(figures)) {
            // only the figures a run writes: anything else in there stays
            try (Stream<Path> s = Files.list(figures)) {
                for (Path p : s.filter(f -> f.getFileName().toString().matches("figure-[\\w.-]+\\.(png|svg|pdf)")).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    /** Releases the folder; a run that wrote nothing leaves nothing, not even the folder it made. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it
        }
        closeQuietly(channel);
        try (Stream<Path> s = Files.list(dir)) {
            if (s.allMatch(p -> p.getFileName().toString().equals(LOCK))) {
                Files.deleteIfExists(dir.resolve(LOCK));
                if (created) {
                    Files.deleteIfExists(dir);
                }
            }
        } catch (IOException ignored) {
            // tidying only
        }
    }
}
