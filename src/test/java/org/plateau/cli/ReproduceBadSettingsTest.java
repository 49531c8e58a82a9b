package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;

/** Bad reproduce settings: one sentence, exit code 2, and nothing written. */
class ReproduceBadSettingsTest {

    static final String MODEL = Fixtures.tinyA().resolve("model").toString();
    static final String SAE = Fixtures.tinyA().resolve("sae").toString();

    @TempDir
    Path tmp;

    CliRun reproduce(Path out, String... extra) {
        String[] base = {"reproduce", "--model", MODEL, "--sae", SAE, "--out", out.toString(), "--n", "2"};
        return CliRun.of(CommandsTest.concat(base, extra));
    }

    @Test
    void lanesOutsideTheCores() {
        Path out = tmp.resolve("lanes");
        int cores = Runtime.getRuntime().availableProcessors();
        for (String lanes : new String[] {"0", "-1", String.valueOf(cores + 1)}) {
            reproduce(out, "--lanes", lanes).assertRefused("--lanes must be between 1 and this machine's " + cores + " cores");
        }
        CliRun.of("layers", "--model", MODEL, "--out", out.toString(), "--lanes", "0").assertRefused("--lanes must be between 1");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void nonPositiveN() {
        Path out = tmp.resolve("n0");
        CliRun.of("reproduce", "--model", MODEL, "--out", out.toString(), "--n", "0").assertRefused("--n must be at least 1");
        CliRun.of("reproduce", "--model", MODEL, "--out", out.toString(), "--n", "-5").assertRefused("--n must be at least 1");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void unknownExperiment() {
        Path out = tmp.resolve("exp");
        reproduce(out, "--experiments", "sensitivity,banana").assertRefused("unknown experiment 'banana'");
        assertFalse(Files.exists(out));
    }

    @Test
    void typesThatCannotMakeAStudy() {
        Path out = tmp.resolve("types");
        reproduce(out, "--types", "synthetic-structured,random")
                .assertRefused("--types needs model-generated among its types: every KS statistic compares");
        reproduce(out, "--types", "model-generated,banana").assertRefused("Unknown target type 'banana'");
        reproduce(out, "--types", "model-generated,ablate-latent").assertRefused("ablate-latent is not a study type");
        reproduce(out, "--types", " , ").assertRefused("No target type named");
        CliRun.of("layers", "--model", MODEL, "--out", out.toString(), "--types", "random")
                .assertRefused("--types needs model-generated");
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void datasetWithoutA10TokenWindow() throws IOException {
        Path out = tmp.resolve("ds");
        Path jsonl = tmp.resolve("short.jsonl");
        Files.writeString(jsonl, "{\"input_ids\": [1, 2, 3]}\n{\"input_ids\": [4, 5, 6, 7, 8]}\n");
        reproduce(out, "--dataset", jsonl.toString()).assertRefused("no row of at least 10 tokens");
        Path empty = tmp.resolve("empty.jsonl");
        Files.writeString(empty, "");
        reproduce(out, "--dataset", empty.toString()).assertRefused("no row of at least 10 tokens");
        Path outside = tmp.resolve("outside.jsonl");
        Files.writeString(outside, "{\"input_ids\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 600]}\n");
        reproduce(out, "--dataset", outside.toString()).assertRefused("outside the model's vocabulary");
        reproduce(out, "--dataset", tmp.resolve("missing.jsonl").toString()).assertRefused("neither a file");
        assertFalse(Files.exists(out));
    }

    @Test
    void unwritableOutputFolder() throws IOException {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "not a folder");
        reproduce(file).assertRefused("is a file, not a folder");
        reproduce(file.resolve("inside")).assertRefused("cannot be written");
        assertFalse(Files.exists(file.resolve("inside")));
    }

    @Test
    void otherBadValues() {
        Path out = tmp.resolve("other");
        reproduce(out, "--ap-threshold", "-1").assertRefused("--ap-threshold must be positive");
        reproduce(out, "--target-cos", "2").assertRefused("--target-cos");
        reproduce(out, "--stats-activations", "1").assertRefused("--stats-activations");
        CliRun.of("reproduce", "--model", MODEL, "--n", "2").assertRefused("--out");
        assertFalse(Files.exists(out));
    }
}
