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
        JsonNode plain = study(tmp.resolve("plain"));
        JsonNode lean = study(tmp.resolve("lean"), "--lean-memory");
        assertFalse(plain.isEmpty());
        assertEquals(plain, lean);
    }

    private static JsonNode study(Path out, String... extra) throws Exception {
        String[] args = CommandsTest.concat(new String[] {"reproduce", "--model", ReproduceBadSettingsTest.MODEL,
                "--sae", ReproduceBadSettingsTest.SAE, "--out", out.toString(), "--n", "3", "--experiments",
                "sensitivity,plateau", "--dataset", "random-tokens", "--stats-activations", "64"}, extra);
        CliRun r = CliRun.of(args);
        assertEquals(0, r.exitCode(), r.err());
        return Json.MAPPER.readTree(out.resolve("results.json").toFile()).path("perturbations");
    }
}
