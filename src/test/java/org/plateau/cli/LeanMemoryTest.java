package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.io.Json;

/** --lean-memory moves where memory comes from, not what is computed. */
class LeanMemoryTest {

    @Test
    void theSameStudyWithAndWithoutIt(@TempDir Path tmp) throws Exception {
        // without first: the threshold, once fixed, stays so for the rest of the process
        Path plainOut = tmp.resolve("plain");
        Path leanOut = tmp.resolve("lean");
        study(plainOut);
        CliRun lean = study(leanOut, "--lean-memory");
        JsonNode plainResults = results(plainOut);
        JsonNode leanResults = results(leanOut);
        assertFalse(plainResults.path("perturbations").isEmpty());
        assertEquals(plainResults.path("perturbations"), leanResults.path("perturbations"));
        // the run says what it ran under, for its peak and its time (without glibc, that it could not)
        String threshold = leanResults.path("provenance").path("malloc_mmap_threshold").asText();
        boolean ignored = lean.err().contains("--lean-memory has no effect here");
        assertEquals(!ignored, threshold.equals("8 MiB (--lean-memory)"), threshold + " / " + lean.err());
    }

    private static CliRun study(Path out, String... extra) {
        String[] args = CommandsTest.concat(new String[] {"reproduce", "--model", ReproduceBadSettingsTest.MODEL,
                "--sae", ReproduceBadSettingsTest.SAE, "--out", out.toString(), "--n", "3", "--experiments",
                "sensitivity,plateau", "--dataset", "random-tokens", "--stats-activations", "64"}, extra);
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exitCode(), r.err());
        return r;
    }

    private static JsonNode results(Path out) throws Exception {
        return Json.MAPPER.readTree(out.resolve("results.json").toFile());
    }
}
