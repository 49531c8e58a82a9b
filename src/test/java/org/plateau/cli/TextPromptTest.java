package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.TestModels;
import org.plateau.model.Gpt2Tokenizer;

/** Text prompts on a model with GPT-2's vocabulary. */
class TextPromptTest {

    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void write() throws Exception {
        model = TestModels.gpt2Vocabulary(tmp.resolve("gpt2-vocab"), 2, 2, 16, 64, 5);
    }

    @Test
    void aTextPromptIsTheSameAsItsTokens() {
        String text = "The committee will publish its findings next week.";
        int[] ids = Gpt2Tokenizer.encode(text);
        JsonNode byText = CliRun.of("forward", "--model", model.toString(), "--prompt", text).json();
        JsonNode byIds = CliRun.of("forward", "--model", model.toString(), "--tokens", CommandsTest.tokens(
                org.plateau.io.Json.MAPPER.valueToTree(ids))).json();
        assertArrayEquals(ids, Fixtures.ints(byText.path("tokens")));
        assertEquals(byIds.path("resid_post_last"), byText.path("resid_post_last"));
    }

    @Test
    void curveDrawsModelGeneratedTargetsFromTheShippedPrompts() {
        String base = "A quiet morning in the harbour town.";
        JsonNode c = CliRun.of("curve", "--model", model.toString(), "--prompt", base,
                "--target", "model-generated", "--seed", "3").json();
        int[] target = Fixtures.ints(c.path("target_tokens"));
        assertEquals(Gpt2Tokenizer.encode(base).length, target.length, "a window as long as the base prompt");
        String shipped = String.join("\n", org.plateau.data.Datasets.samplePassages());
        assertTrue(shipped.contains(Gpt2Tokenizer.decode(target)), "drawn from the shipped passages");
        assertTrue(c.path("distance").asDouble() > 0);
    }

    @Test
    void aPromptLongerThanTheContextIsRefused() {
        CliRun.of("forward", "--model", model.toString(), "--prompt", "word ".repeat(80)).assertRefused("context holds 64");
    }
}
