package org.plateau.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.plateau.PlateauException;
import org.plateau.experiment.StudyRunner.IndexResult;
import org.plateau.io.Json;

/**
 * The raw record of a study, one line per finished base, written as each finishes and forced to
 * disk. Its first line names the run (settings, model, SAE, device); a resumed run must match it.
 * A line cut short by an interruption is dropped on resume and that base computed again.
 */
final class Journal implements AutoCloseable {

    static final String FILE_NAME = "journal.jsonl";

    private final Path file;
    /** Opened with the first finished base: a run refused before it leaves no journal behind. */
    private FileChannel out;
    private final String header;
    private final Map<Integer, IndexResult> done;

    private Journal(Path file, FileChannel out, String header, Map<Integer, IndexResult> done) {
        this.file = file;
        this.out = out;
        this.header = header;
        this.done = done;
    }

    /**
     * Starts a journal in {@code dir} (written from the first finished base on), or with
     * {@code resume} continues the one there. The folder has been checked ({@link RunFolder}).
     *
     * @param header what identifies the run
     */
    static Journal open(Path dir, JsonNode header, boolean resume) {
        Path file = dir.resolve(FILE_NAME);
        try {
            String headerLine = Json.RECORDS.writeValueAsString(header);
            if (resume && Files.exists(file)) {
                Map<Integer, IndexResult> done = new TreeMap<>();
                long goodBytes = readExisting(file, header, done);
                FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
                ch.truncate(goodBytes);
                ch.position(goodBytes);
                return new Journal(file, ch, headerLine, done);
            }
            Files.deleteIfExists(file);
            return new Journal(file, null, headerLine, new TreeMap<>());
        } catch (IOException e) {
            throw new PlateauException("Cannot write the run's journal in " + dir + " (" + e.getMessage() + ").");
        }
    }

    /** Reads the header and every complete line; returns the length of the well-formed part. */
    private static long readExisting(Path file, JsonNode header, Map<Integer, IndexResult> done) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int pos = 0;
        int lineNo = 0;
        while (pos < bytes.length) {
            int nl = indexOf(bytes, (byte) '\n', pos);
            if (nl < 0) {
                break; // an unfinished last line: the interrupted base runs again
            }
            String line = new String(bytes, pos, nl - pos, StandardCharsets.UTF_8);
            if (lineNo == 0) {
                JsonNode found = Json.RECORDS.readTree(line);
                // compared as written and read back: in memory a number may be a long, on disk an int
                JsonNode want = Json.RECORDS.readTree(Json.RECORDS.writeValueAsString(header));
                String diff = firstDifference(want, found, "");
                if (diff != null) {
                    throw new PlateauException("Cannot resume: the run in " + file.getParent() + " was made with "
                            + diff + "; resume it with the same settings, model and SAE, or choose another --out.");
                }
            } else {
                IndexResult r;
                try {
                    r = Json.RECORDS.readValue(line, IndexResult.class);
                } catch (IOException e) {
                    break; // damaged: keep what came before it
                }
                done.put(r.index(), r);
            }
            lineNo++;
            pos = nl + 1;
        }
        if (lineNo == 0) {
            throw new PlateauException("Cannot resume: the journal in " + file.getParent() + " is empty or damaged.");
        }
        return pos;
    }

    /** The first field where two headers differ, as "field = value" of the old one; null if equal. */
    private static String firstDifference(JsonNode want, JsonNode found, String path) {
        if (want.isObject() && found.isObject()) {
            for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                String d = firstDifference(want.get(f), found.path(f), path.isEmpty() ? f : path + "." + f);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return want.equals(found) ? null : path + " = " + (found.isMissingNode() ? "(none)" : found.toString());
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    Map<Integer, IndexResult> completed() {
        return done;
    }

    synchronized void append(IndexResult r) {
        try {
            writeLine(Json.RECORDS.writeValueAsString(r));
        } catch (IOException e) {
            throw new PlateauException("Cannot write to the journal " + file + " (" + e.getMessage() + ").");
        }
        done.put(r.index(), r);
    }

    private void writeLine(String json) throws IOException {
        if (out == null) {
            out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            ByteBuffer h = ByteBuffer.wrap((header + "\n").getBytes(StandardCharsets.UTF_8));
            while (h.hasRemaining()) {
                out.write(h);
            }
        }
        ByteBuffer b = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            out.write(b);
        }
        out.force(false);
    }

    List<IndexResult> inOrder() {
        return List.copyOf(done.values());
    }

    @Override
    public void close() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // every line was forced to disk when written
        }
    }
}
