package org.plateau;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the shared folder adds when it is beside the clone. On a bare clone these tests are
 * skipped and say why (see the Maven summary); under CI they must run.
 */
class SharedFolderTest {

    /** The copy in src/test/resources must follow the shared fixture when the oracle is corrected. */
    @Test
    void theProjectsCopyOfTinyAIsTheSharedOne() throws Exception {
        Path shared = Fixtures.requireShared("comparing the project's copy of tiny-a with the oracle's")
                .resolve("fixtures/tiny-a");
        List<String> files = List.of("expected.json", "model/config.json", "model/model.safetensors",
                "sae/cfg.json", "sae/sae_weights.safetensors", "sae/sparsity.safetensors");
        for (String f : files) {
            assertArrayEquals(Files.readAllBytes(shared.resolve(f)), Files.readAllBytes(Fixtures.tinyA().resolve(f)),
                    f + " differs from the shared fixture: copy ../shared/fixtures/tiny-a into src/test/resources/fixtures");
        }
    }

    @Test
    void theOracleGeneratesItsVariantB() {
        Fixtures.Fixture b = Fixtures.requireOracleB();
        assertEquals("b", b.expected().path("variant").asText());
        assertTrue(Files.exists(b.model().resolve("model.safetensors")));
    }
}
