package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.plateau.Fixtures;
import org.plateau.PlateauJar;
import org.plateau.PlateauJar.Result;
import org.plateau.io.Json;

/** The packaged program as users run it: {@code java -jar target/plateau.jar COMMAND}. */
class PackagedJarIT {

    @Test
    void forwardPrintsOneJsonObjectAndNothingElse() throws Exception {
        Path fixture = Fixtures.tinyA();
        Result r = PlateauJar.run("forward", "--model", fixture.resolve("model").toString(), "--tokens", "1,2,3");
        assertEquals(0, r.code(), r.err());
        JsonNode json = Json.MAPPER.readTree(r.out());
        assertEquals(4, json.path("resid_pre_last").size());
        assertEquals(64, json.path("resid_post_last").size());
        assertEquals(5, json.path("log_probs_last_top5").size());
        assertEquals("", r.err().strip(), "nothing on stderr when all is well");
    }

    @Test
    void badInputExitsWithTwoAndOneSentence() throws Exception {
        Result r = PlateauJar.run("forward", "--model", "/no/such/folder", "--tokens", "1,2,3");
        assertEquals(2, r.code());
        assertEquals("plateau: The model folder /no/such/folder does not exist.", r.err().strip());
        assertEquals("", r.out());
    }

    @Test
    void reproduceKilledMidRunResumesToTheSameResults(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path fixture = Fixtures.tinyA();
        String[] args = {"reproduce", "--model", fixture.resolve("model").toString(), "--sae",
                fixture.resolve("sae").toString(), "--n", "80", "--stats-activations", "800", "--seed", "3"};
        Path whole = tmp.resolve("whole");
        assertEquals(0, PlateauJar.run(concat(args, "--out", whole.toString())).code());

        // the same run, killed (SIGKILL: no chance to tidy up) once a few bases are in the journal
        Path killed = tmp.resolve("killed");
        Process p = new ProcessBuilder(PlateauJar.command(concat(args, "--out", killed.toString())))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start();
        Path journal = killed.resolve("journal.jsonl");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline && (!Files.exists(journal) || Files.readAllLines(journal).size() < 6)) {
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor();
        assertTrue(Files.exists(journal));
        assertTrue(!Files.exists(killed.resolve("results.json")), "killed before the end");

        Result resumed = PlateauJar.run(concat(args, "--out", killed.toString(), "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(withoutTiming(whole), withoutTiming(killed));
    }

    /**
     * --lean-memory moves where memory comes from, not what is computed. Each run is a process of
     * its own: in the test JVM an earlier test may already have fixed the threshold, which stays
     * fixed for the rest of the process, and the run without it would then be lean too.
     */
    @Test
    void leanMemoryGivesTheSameStudy(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path fixture = Fixtures.tinyA();
        String[] args = {"reproduce", "--model", fixture.resolve("model").toString(), "--sae",
                fixture.resolve("sae").toString(), "--n", "3", "--experiments", "sensitivity,plateau", "--dataset",
                "random-tokens", "--stats-activations", "64"};
        Path plainOut = tmp.resolve("plain");
        Path leanOut = tmp.resolve("lean");
        Result plain = PlateauJar.run(concat(args, "--out", plainOut.toString()));
        assertEquals(0, plain.code(), plain.err());
        Result lean = PlateauJar.run(concat(args, "--out", leanOut.toString(), "--lean-memory"));
        assertEquals(0, lean.code(), lean.err());
        JsonNode plainResults = Json.MAPPER.readTree(plainOut.resolve("results.json").toFile());
        JsonNode leanResults = Json.MAPPER.readTree(leanOut.resolve("results.json").toFile());
        assertTrue(!plainResults.path("provenance").path("malloc_mmap_threshold").asText().contains("--lean-memory"),
                "the run without it is not lean");
        assertTrue(!plainResults.path("perturbations").isEmpty());
        assertEquals(plainResults.path("perturbations"), leanResults.path("perturbations"));
        // the run says what it ran under, for its peak and its time (without glibc, that it could not)
        String threshold = leanResults.path("provenance").path("malloc_mmap_threshold").asText();
        boolean ignored = lean.err().contains("--lean-memory has no effect here");
        assertEquals(!ignored, threshold.equals("8 MiB (--lean-memory)"), threshold + " / " + lean.err());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** plateau window [--lean-memory]: without a display, the same one sentence as with no command, and exit code 1. */
    @Test
    void theWindowCommandTakesLeanMemoryAndSaysWhenNoDisplayIsThere() throws Exception {
        java.util.Map<String, String> noDisplay = java.util.Map.of("DISPLAY", "", "WAYLAND_DISPLAY", "");
        Result bare = PlateauJar.run(noDisplay);
        Result lean = PlateauJar.run(noDisplay, "window", "--lean-memory");
        for (Result r : List.of(bare, lean)) {
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().strip().startsWith("plateau: the window cannot open ("), r.err());
            assertTrue(r.err().strip().endsWith("a desktop session is needed, or use a command (plateau help)."), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one sentence: " + r.err());
        }
        assertEquals(bare.err(), lean.err(), "--lean-memory acts silently where glibc is");
    }

    static JsonNode withoutTiming(Path out) throws IOException {
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) Json.RECORDS.readTree(out.resolve("results.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("provenance")).remove("timing");
        return root;
    }

    @Test
    void helpAndVersion() throws Exception {
        Result help = PlateauJar.run("help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("curve"));
        Result version = PlateauJar.run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("plateau 0."), version.out());
    }
}
