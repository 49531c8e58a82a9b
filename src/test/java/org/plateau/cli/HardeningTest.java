package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.experiment.RunFolder;
import org.plateau.io.AtomicFiles;
import org.plateau.io.SafetensorsWriter;
import org.plateau.reference.TensorFile;

/** What a hostile tester found (issue 10), each case once: one sentence, exit 2, nothing half-written. */
class HardeningTest {

    static final Path FIXTURE = Fixtures.tinyA();
    static final String MODEL = FIXTURE.resolve("model").toString();
    static final String SAE = FIXTURE.resolve("sae").toString();
    static final String TOKENS = "1,2,3,4,5,6,7,8,9,10";

    @TempDir
    Path tmp;

    Path copy(String what) throws IOException {
        Path dir = tmp.resolve(what);
        Files.createDirectories(dir);
        try (var s = Files.list(FIXTURE.resolve(what))) {
            for (Path f : s.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }

    CliRun reproduce(Path out, String... extra) {
        String[] base = {"reproduce", "--model", MODEL, "--sae", SAE, "--out", out.toString(), "--n", "1",
            "--stats-activations", "200", "--experiments", "sensitivity"};
        return CliRun.of(CommandsTest.concat(base, extra));
    }

    // ------------------------------------------------------------------ runs and files

    @Test
    void aUsersFolderIsNeverOverwrittenUnlessForced() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("report.md"), "my own report");
        Files.writeString(out.resolve("notes.txt"), "my notes");
        reproduce(out).assertRefused("not a run of plateau's (notes.txt)");
        assertEquals("my own report", Files.readString(out.resolve("report.md")));
        CliRun forced = reproduce(out, "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertEquals("my notes", Files.readString(out.resolve("notes.txt")), "--force writes beside, not over, others");
        assertTrue(Files.readString(out.resolve("report.md")).startsWith("# Plateau study"));
        // an earlier run: resume it or start over, never silently replace
        reproduce(out, "--force").exitCode();
        Path run = tmp.resolve("run");
        assertEquals(0, reproduce(run).exitCode());
        reproduce(run).assertRefused("already holds a run");
        CliRun.of("reproduce", "--model", MODEL, "--out", "", "--n", "1").assertRefused("--out needs a folder name");
    }

    @Test
    void aRefusedRunLeavesNoJournalAndItsFolderStaysFree() throws IOException {
        Path oneRow = tmp.resolve("one.jsonl");
        Files.writeString(oneRow, "{\"input_ids\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}\n");
        Path out = tmp.resolve("out");
        reproduce(out, "--dataset", oneRow.toString()).assertRefused("only 1 prompt");
        assertFalse(Files.exists(out), "nothing written, not even the folder");

        // a folder holding only the header-only journal an earlier version left is free to use
        Files.createDirectories(out);
        Files.writeString(out.resolve("journal.jsonl"), "{\"plateau_journal\":1}\n");
        CliRun again = reproduce(out);
        assertEquals(0, again.exitCode(), again.err());
    }

    @Test
    void twoRunsIntoOneFolderAreRefused() throws IOException {
        Path out = tmp.resolve("busy");
        try (RunFolder held = RunFolder.open(out, false, false)) {
            reproduce(out, "--resume").assertRefused("another plateau run is writing into");
        }
    }

    @Test
    void statisticsActivationsAreBoundedByMemory() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            CliRun.of("reproduce", "--model", MODEL, "--out", tmp.resolve("big").toString(), "--stats-activations",
                    "1000000000").assertRefused("--stats-activations 1000000000");
            CliRun.of("curve", "--model", MODEL, "--tokens", TOKENS, "--target", "random", "--stats-activations",
                    "1000000000").assertRefused("the paper used 32000");
        });
        assertFalse(Files.exists(tmp.resolve("big")));
    }

    @Test
    void orphanedTemporaryFilesOfKilledWritersAreRemoved() throws IOException {
        Path target = tmp.resolve("results.json");
        Path orphan = tmp.resolve(".results.json.4000000000-1f.part"); // no such process
        Path live = tmp.resolve(".results.json." + ProcessHandle.current().pid() + "-2f.part");
        Files.writeString(orphan, "half");
        Files.writeString(live, "being written");
        AtomicFiles.writeString(target, "{}");
        assertFalse(Files.exists(orphan));
        assertTrue(Files.exists(live), "a running writer's file stays");
    }

    // ------------------------------------------------------------------ numbers

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() throws IOException {
        Path model = copy("model");
        poison(model.resolve("model.safetensors"), "h.2.mlp.c_fc.weight", Float.NaN);
        CliRun.of("forward", "--model", model.toString(), "--tokens", TOKENS)
                .assertRefused("not a finite number (NaN or infinity) in h.2.mlp.c_fc.weight");
        CliRun.of("encode", "--model", model.toString(), "--sae", SAE, "--tokens", TOKENS)
                .assertRefused("model file");

        Path sae = copy("sae");
        poison(sae.resolve("sae_weights.safetensors"), "W_dec", Float.POSITIVE_INFINITY);
        CliRun.of("encode", "--model", MODEL, "--sae", sae.toString(), "--tokens", TOKENS)
                .assertRefused("sae_weights.safetensors has a value that is not a finite number (NaN or infinity) in W_dec");
        Path sparse = copy("sae");
        poison(sparse.resolve("sparsity.safetensors"), "sparsity", Float.NaN);
        CliRun.of("encode", "--model", MODEL, "--sae", sparse.toString(), "--tokens", TOKENS).assertRefused("sparsity");
    }

    @Test
    void aSweepBeyondFloatRangeIsRefusedNotSummarised() {
        CliRun.of("curve", "--model", MODEL, "--tokens", TOKENS, "--target", "model-generated", "--target-tokens",
                "3,4,5,6,7,8,9,10,11,12", "--step-size", "1e308").assertRefused("not a finite number");
    }

    /** Rewrites one tensor of a safetensors file with its first value replaced. */
    static void poison(Path file, String tensor, float value) throws IOException {
        var tensors = TensorFile.read(file);
        SafetensorsWriter w = new SafetensorsWriter();
        var shapes = shapes(file);
        for (var e : tensors.entrySet()) {
            float[] v = e.getValue().clone();
            if (e.getKey().equals(tensor)) {
                v[0] = value;
            }
            w.put(e.getKey(), v, shapes.get(e.getKey()));
        }
        w.write(file);
    }

    static java.util.Map<String, long[]> shapes(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = java.nio.ByteBuffer.wrap(all, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        var header = org.plateau.io.Json.MAPPER.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        java.util.Map<String, long[]> out = new java.util.HashMap<>();
        header.fields().forEachRemaining(f -> {
            if (!f.getKey().equals("__metadata__")) {
                long[] s = new long[f.getValue().path("shape").size()];
                for (int i = 0; i < s.length; i++) {
                    s[i] = f.getValue().path("shape").get(i).asLong();
                }
                out.put(f.getKey(), s);
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ formats and messages

    @Test
    void safetensorsAreReadExactlyAsStrictlyAsTheFormat() throws IOException {
        Path dir = copy("model");
        Path file = dir.resolve("model.safetensors");
        BadInputTest.writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        refusedAsModel(dir, "overlaps");
        BadInputTest.writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        refusedAsModel(dir, "a field is given twice");
        BadInputTest.writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.5]}}", 8);
        refusedAsModel(dir, "not whole numbers");
        BadInputTest.writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8);
        refusedAsModel(dir, "non-integer dimension");
        BadInputTest.writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12);
        refusedAsModel(dir, "belong to no tensor");
        BadInputTest.writeRawSafetensors(file, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} {}", 8);
        refusedAsModel(dir, "text follows the json");
    }

    void refusedAsModel(Path dir, String why) {
        CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS).assertRefused(why);
    }

    @Test
    void configFieldsMustHaveTheirTypes() throws IOException {
        Path dir = copy("model");
        String cfg = Files.readString(FIXTURE.resolve("model/config.json"));
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"n_layer\": 4", "\"n_layer\": 4.7"));
        refusedAsModel(dir, "integer field 'n_layer'");
        Files.writeString(dir.resolve("config.json"), cfg.replace("\"layer_norm_epsilon\": 1e-05",
                "\"layer_norm_epsilon\": \"abc\""));
        refusedAsModel(dir, "'layer_norm_epsilon' that is not a number");
        Files.writeString(dir.resolve("config.json"), cfg + "\n{\"more\": 1}");
        refusedAsModel(dir, "text follows the json document");
    }

    @Test
    void errorsNeverQuoteTheFilesTheyRead() throws IOException {
        Path dir = copy("model");
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "SECRETTOKEN hf_abcdefghijkl");
        Files.delete(dir.resolve("config.json"));
        Files.createSymbolicLink(dir.resolve("config.json"), secret);
        CliRun r = CliRun.of("forward", "--model", dir.toString(), "--tokens", TOKENS);
        r.assertRefused("is not valid json");
        assertFalse(r.err().contains("SECRETTOKEN"), r.err());

        Path jsonl = tmp.resolve("binary.jsonl");
        Files.write(jsonl, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41, '\n'});
        reproduce(tmp.resolve("b"), "--dataset", jsonl.toString()).assertRefused("is not utf-8 text");

        Path file = tmp.resolve("just-a-file");
        Files.writeString(file, "x");
        CliRun.of("forward", "--model", file.toString(), "--tokens", TOKENS).assertRefused("is a file, not a folder");
    }

    @Test
    void anSaeWithoutSparsityServesWhatDoesNotNeedIt() throws IOException {
        Path sae = copy("sae");
        Files.delete(sae.resolve("sparsity.safetensors"));
        assertEquals(0, CliRun.of("encode", "--model", MODEL, "--sae", sae.toString(), "--tokens", TOKENS).exitCode());
        for (String type : List.of("sae-reconstruction", "model-generated")) {
            CliRun r = CliRun.of("curve", "--model", MODEL, "--sae", sae.toString(), "--tokens", TOKENS, "--target", type);
            assertEquals(0, r.exitCode(), type + ": " + r.err());
        }
        CliRun.of("curve", "--model", MODEL, "--sae", sae.toString(), "--tokens", TOKENS, "--target",
                "synthetic-structured").assertRefused("has no sparsity.safetensors");
    }

    @Test
    void aFifoIsNotOpened() throws Exception {
        Path dir = copy("model");
        Files.delete(dir.resolve("model.safetensors"));
        Process p = new ProcessBuilder("mkfifo", dir.resolve("model.safetensors").toString()).start();
        assertEquals(0, p.waitFor());
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> refusedAsModel(dir, "is not a regular file"));
    }

    @Test
    void helpColumnsLineUpAndProgressNeverPassesItsTotal() {
        for (String command : List.of("forward", "encode", "synth", "curve", "reproduce", "check", "bench")) {
            String help = CliRun.of("help", command).out();
            for (String line : help.lines().toList()) {
                if (line.startsWith("  --")) {
                    // the option, then its description from column 26 (or on the next line when it is long)
                    boolean alone = line.length() <= 26 || !line.strip().contains("  ");
                    assertTrue(alone ? line.strip().split(" ").length <= 2
                            : line.substring(0, 26).endsWith(" ") && line.charAt(26) != ' ', command + ": '" + line + "'");
                } else if (line.startsWith(" ")) {
                    assertTrue(line.startsWith(" ".repeat(26)) && line.charAt(26) != ' ', command + ": '" + line + "'");
                }
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .update("random-target distribution", 300, 1, 0, "activations");
        assertEquals("random-target distribution: 1/1 activations (100%)", bytes.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void downloadSpeedCountsOnlyWhatArrivedNow() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        long kept = 900_000_000L; // resumed: these bytes came in an earlier run
        line.bytes("downloading model.safetensors", kept, kept + 1000);
        try {
            Thread.sleep(60);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        line.bytes("downloading model.safetensors", kept + 1000, kept + 1000);
        String last = bytes.toString(StandardCharsets.UTF_8).strip().lines().reduce((a, b) -> b).orElse("");
        double rate = Double.parseDouble(last.replaceAll(".*· ([0-9.]+) MB/s.*", "$1"));
        assertTrue(rate < 1, "1000 bytes in 60 ms is not " + rate + " MB/s: " + last);
    }
}
