package org.plateau.model;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.charset.StandardCharsets;

/** GPT-2's byte-pair encoding: tiktoken's r50k_base, through the jtokkit library. */
public final class Gpt2Tokenizer {

    /** {@code <|endoftext|>}, which separates documents. */
    public static final int END_OF_TEXT = 50256;

    private static final class Holder {
        static final Encoding R50K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
    }

    private Gpt2Tokenizer() {}

    /** Token ids of a text; special-token spellings in it are treated as plain text. */
    public static int[] encode(String text) {
        return Holder.R50K.encodeOrdinary(text).toArray();
    }

    public static String decode(int[] ids) {
        return Holder.R50K.decode(list(ids));
    }

    /** One token as text, for display; a token holding part of a UTF-8 character shows as �. */
    public static String tokenText(int id) {
        if (id == END_OF_TEXT) {
            return "<|endoftext|>";
        }
        return new String(Holder.R50K.decodeBytes(list(new int[] {id})), StandardCharsets.UTF_8);
    }

    private static IntArrayList list(int[] ids) {
        IntArrayList l = new IntArrayList(ids.length);
        for (int id : ids) {
            l.add(id);
        }
        return l;
    }
}
