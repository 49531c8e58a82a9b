package org.plateau.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GPT-2 tokenisation gives GPT-2's own ids. */
class Gpt2TokenizerTest {

    /** The shared OpenWebText sample: documents as GPT-2 token ids, each ended by 50256. */
    static List<int[]> openWebTextDocuments() throws IOException {
        Path bin = Path.of(System.getProperty("plateau.shared", "../shared"), "data/openwebtext-10k-val.bin");
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
        List<int[]> docs = new ArrayList<>();
        int[] ids = new int[b.remaining() / 2];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = b.getShort() & 0xffff;
        }
        int start = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == Gpt2Tokenizer.END_OF_TEXT) {
                docs.add(Arrays.copyOfRange(ids, start, i));
                start = i + 1;
            }
        }
        return docs;
    }

    @Test
    void knownIds() {
        assertArrayEquals(new int[] {15496, 995}, Gpt2Tokenizer.encode("Hello world"));
        assertEquals(" world", Gpt2Tokenizer.tokenText(995));
        assertEquals("<|endoftext|>", Gpt2Tokenizer.tokenText(50256));
    }

    @Test
    void everyOpenWebTextDocumentSurvivesDecodeThenEncode() throws IOException {
        List<int[]> docs = openWebTextDocuments();
        assertEquals(500, docs.size());
        long tokens = 0;
        for (int[] doc : docs) {
            assertArrayEquals(doc, Gpt2Tokenizer.encode(Gpt2Tokenizer.decode(doc)));
            tokens += doc.length;
        }
        assertTrue(tokens > 500_000, "the whole sample was checked: " + tokens);
    }
}
