package org.plateau.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** GPT-2 tokenisation gives GPT-2's own ids. */
class Gpt2TokenizerTest {

    @Test
    void knownIds() {
        assertArrayEquals(new int[] {15496, 995}, Gpt2Tokenizer.encode("Hello world"));
        assertEquals(" world", Gpt2Tokenizer.tokenText(995));
        assertEquals("<|endoftext|>", Gpt2Tokenizer.tokenText(50256));
    }

    @Test
    void everyOpenWebTextDocumentSurvivesDecodeThenEncode() throws java.io.IOException {
        List<int[]> docs = org.plateau.Fixtures.openWebTextDocuments();
        assertEquals(500, docs.size());
        long tokens = 0;
        for (int[] doc : docs) {
            assertArrayEquals(doc, Gpt2Tokenizer.encode(Gpt2Tokenizer.decode(doc)));
            tokens += doc.length;
        }
        assertTrue(tokens > 500_000, "the whole sample was checked: " + tokens);
    }
}
