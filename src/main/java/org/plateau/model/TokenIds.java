package org.plateau.model;

import java.util.regex.Pattern;
import org.plateau.PlateauException;

/** A prompt written as token ids, "5,17,301": how the command line and the window read one. */
public final class TokenIds {

    private static final Pattern IDS = Pattern.compile("\\s*-?\\d+(\\s*,\\s*-?\\d+)*\\s*");

    private TokenIds() {}

    /** Whether the text is a list of token ids rather than words. */
    public static boolean looksLikeIds(String text) {
        return IDS.matcher(text).matches();
    }

    /**
     * The ids of a comma-separated list (whether they fit a vocabulary is the model's to say).
     *
     * @param what how to name the text in a refusal, such as "The option --tokens"
     */
    public static int[] parse(String text, String what) {
        String[] parts = text.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            try {
                ids[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new PlateauException(what + " takes comma-separated token ids, not '"
                        + (p.length() > 20 ? p.substring(0, 20) + "…" : p) + "'.");
            }
        }
        return ids;
    }
}
