package org.plateau.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.plateau.PlateauException;
import org.plateau.model.Gpt2Config;
import org.plateau.model.Gpt2Tokenizer;

/** The prompt datasets Plateau knows without being told where to look. */
public final class Datasets {

    /** The passages shipped with Plateau (the project's sample-prompts/prompts.txt, inside the jar). */
    public static final String SAMPLE_PROMPTS = "sample-prompts";
    private static final String SAMPLE_RESOURCE = "/org/plateau/sample-prompts.txt";

    private Datasets() {}

    /** The shipped passages, one per element. */
    public static List<String> samplePassages() {
        InputStream in = Datasets.class.getResourceAsStream(SAMPLE_RESOURCE);
        if (in == null) {
            throw new PlateauException("The sample prompts are missing from this build of Plateau.");
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    lines.add(line.strip());
                }
            }
        } catch (IOException e) {
            throw new PlateauException("The sample prompts cannot be read (" + e.getMessage() + ").");
        }
        return lines;
    }

    /** Every 10-token window of the shipped passages. */
    public static TokenWindows samplePrompts(int length) {
        List<int[]> seqs = new ArrayList<>();
        for (String p : samplePassages()) {
            seqs.add(Gpt2Tokenizer.encode(p));
        }
        return new TokenWindows(seqs, length, "Plateau's sample prompts");
    }

    /**
     * The default prompts for a model: the shipped passages when it reads GPT-2's vocabulary,
     * otherwise uniformly random tokens (text cannot be tokenised for another vocabulary).
     */
    public static PromptSource defaultFor(Gpt2Config config, int length) {
        if (config.hasGpt2Vocabulary()) {
            return samplePrompts(length);
        }
        return new RandomTokenPrompts(config.vocabSize(), length);
    }
}
