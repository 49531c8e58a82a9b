package org.plateau.data;

import org.plateau.perturbation.PromptSource;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.plateau.PlateauException;
import org.plateau.io.Json;
import org.plateau.model.Gpt2Config;
import org.plateau.model.Gpt2Tokenizer;

/**
 * Prompt datasets, named as {@code --dataset} names them:
 *
 * <ul>
 *   <li>{@code sample-prompts}: the passages shipped with Plateau; every window is a prompt;
 *   <li>{@code random-tokens}: uniformly random token ids;
 *   <li>{@code FILE.txt}: passages, one a line; every window is a prompt;
 *   <li>{@code FILE.jsonl}: rows with {@code input_ids} or {@code text}; a prompt is the start of a
 *       random row, as the paper drew them from OpenWebText;
 *   <li>{@code hf:org/name}: a hub dataset through its rows service, the paper's way (see
 *       {@link org.plateau.hub.HubDataset}); {@code auto}: the paper's dataset when it can be had;
 *   <li>{@code FILE.bin}: nanoGPT's format, uint16 token ids with documents ended by
 *       {@code <|endoftext|>}; a prompt is the start of a random document.
 * </ul>
 */
public final class Datasets {

    public static final String SAMPLE_PROMPTS = "sample-prompts";
    public static final String RANDOM_TOKENS = "random-tokens";
    /** The paper's OpenWebText prompts when they can be had (cached or fetched), else the sample prompts. */
    public static final String AUTO = "auto";
    private static final String SAMPLE_RESOURCE = "/org/plateau/sample-prompts.txt";

    /**
     * A prompt source, the name that opens the same prompts again ({@link #AUTO} resolved to what it
     * chose), and, when the request could not be met as asked, why.
     */
    public record Dataset(String spec, PromptSource prompts, String note) {}

    private Datasets() {}

    /** Opens a dataset for a model, checking every token id against its vocabulary. */
    public static Dataset open(String spec, Gpt2Config config, int length) {
        if (spec.startsWith("hf:")) {
            var hub = new org.plateau.hub.HubClient(org.plateau.hub.HubSettings.fromEnvironment());
            List<int[]> rows = org.plateau.hub.HubDataset.rowStarts(spec, length, hub, null);
            String name = spec.substring(3).replaceAll("\\?.*$", "");
            RowStarts source = new RowStarts(rows, length, name);
            checkVocabulary(source, config, spec);
            return new Dataset(spec, source, null);
        }
        if (spec.equals(AUTO)) {
            return auto(config, length);
        }
        if (spec.equals(SAMPLE_PROMPTS)) {
            if (!config.hasGpt2Vocabulary()) {
                return new Dataset(spec, new RandomTokenPrompts(config.vocabSize(), length),
                        "The model's vocabulary (" + config.vocabSize() + " tokens) is not GPT-2's, so the sample"
                                + " prompts cannot be tokenised for it; prompts are uniformly random tokens instead.");
            }
            return new Dataset(spec, samplePrompts(length), null);
        }
        if (spec.equals(RANDOM_TOKENS)) {
            return new Dataset(spec, new RandomTokenPrompts(config.vocabSize(), length), null);
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new PlateauException("The dataset " + spec + " is neither a file nor one of " + SAMPLE_PROMPTS
                    + ", " + RANDOM_TOKENS + ".");
        }
        String name = file.getFileName().toString().toLowerCase();
        PromptSource source;
        if (name.endsWith(".txt")) {
            requireGpt2Vocabulary(config, spec);
            List<int[]> seqs = new ArrayList<>();
            for (String passage : readLines(file)) {
                seqs.add(Gpt2Tokenizer.encode(passage));
            }
            source = new TokenWindows(seqs, length, file.getFileName().toString());
        } else if (name.endsWith(".jsonl")) {
            source = new RowStarts(readJsonl(file, config), length, file.getFileName().toString());
        } else if (name.endsWith(".bin")) {
            source = new RowStarts(readTokenBin(file), length, file.getFileName().toString());
        } else {
            throw new PlateauException("The dataset " + spec + " has an unknown format; use .txt, .jsonl or .bin.");
        }
        checkVocabulary(source, config, spec);
        return new Dataset(spec, source, null);
    }

    /**
     * {@link #AUTO}: for models with GPT-2's vocabulary the paper's dataset, fetched or from the
     * cache; when it cannot be had, the shipped passages, with a note saying why.
     */
    static Dataset auto(Gpt2Config config, int length) {
        if (!config.hasGpt2Vocabulary()) {
            return open(SAMPLE_PROMPTS, config, length);
        }
        try {
            return open(org.plateau.hub.HubDataset.PAPER, config, length);
        } catch (PlateauException e) {
            Dataset fallback = open(SAMPLE_PROMPTS, config, length);
            return new Dataset(SAMPLE_PROMPTS, fallback.prompts(), "The paper's OpenWebText prompts could not be had (" + e.getMessage()
                    .replaceAll("\\.$", "") + "), so Plateau's sample prompts were used.");
        }
    }

    /** The default prompts for a model: {@link #SAMPLE_PROMPTS}, or random tokens for another vocabulary. */
    public static PromptSource defaultFor(Gpt2Config config, int length) {
        return open(SAMPLE_PROMPTS, config, length).prompts();
    }

    /** The shipped passages, one per element. */
    public static List<String> samplePassages() {
        InputStream in = Datasets.class.getResourceAsStream(SAMPLE_RESOURCE);
        if (in == null) {
            throw new PlateauException("The sample prompts are missing from this build of Plateau.");
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new PlateauException("The sample prompts cannot be read (" + e.getMessage() + ").");
        }
    }

    /** Every window of {@code length} tokens of the shipped passages. */
    public static TokenWindows samplePrompts(int length) {
        List<int[]> seqs = new ArrayList<>();
        for (String p : samplePassages()) {
            seqs.add(Gpt2Tokenizer.encode(p));
        }
        return new TokenWindows(seqs, length, "Plateau's sample prompts");
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> !l.isEmpty()).toList();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new PlateauException("The dataset " + file + " is not UTF-8 text.");
        } catch (IOException e) {
            throw new PlateauException("The dataset " + file + " cannot be read (" + e.getMessage() + ").");
        }
    }

    /**
     * Every row of a .jsonl file as a whole prompt, in order ({@code input_ids}, or {@code text} for
     * GPT-2's vocabulary): for statistics over given prompts rather than drawn ones.
     */
    public static List<int[]> promptRows(Path file, Gpt2Config config) {
        if (!Files.isRegularFile(file)) {
            throw new PlateauException("The prompts file " + file + (Files.exists(file) ? " is not a file." : " does not exist."));
        }
        if (!file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jsonl")) {
            throw new PlateauException("The prompts file " + file + " must be .jsonl, one {\"input_ids\": [...]} per line.");
        }
        List<int[]> rows = readJsonl(file, config);
        if (rows.isEmpty()) {
            throw new PlateauException("The prompts file " + file + " has no rows.");
        }
        for (int[] r : rows) {
            if (r.length == 0 || r.length > config.nCtx()) {
                throw new PlateauException("The prompts file " + file + " has a row of " + r.length
                        + " tokens; rows need 1 to " + config.nCtx() + ".");
            }
            check(r, config, file.toString());
        }
        return rows;
    }

    private static List<int[]> readJsonl(Path file, Gpt2Config config) {
        List<int[]> rows = new ArrayList<>();
        int lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row;
                try {
                    row = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    throw new PlateauException("Line " + lineNo + " of the dataset " + file + " is not valid JSON.");
                }
                if (row.path("input_ids").isArray()) {
                    JsonNode ids = row.get("input_ids");
                    int[] t = new int[ids.size()];
                    for (int i = 0; i < t.length; i++) {
                        if (!ids.get(i).canConvertToInt()) {
                            throw new PlateauException("Line " + lineNo + " of the dataset " + file
                                    + " has an input id that is not an integer.");
                        }
                        t[i] = ids.get(i).asInt();
                    }
                    rows.add(t);
                } else if (row.path("text").isTextual()) {
                    requireGpt2Vocabulary(config, file.toString());
                    rows.add(Gpt2Tokenizer.encode(row.get("text").asText()));
                } else {
                    throw new PlateauException("Line " + lineNo + " of the dataset " + file
                            + " has neither input_ids nor text.");
                }
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new PlateauException("The dataset " + file + " is not UTF-8 text (line " + (lineNo + 1) + ").");
        } catch (IOException e) {
            throw new PlateauException("The dataset " + file + " cannot be read (" + e.getMessage() + ").");
        }
        return rows;
    }

    /** nanoGPT's .bin: little-endian uint16 token ids; documents end with <|endoftext|>. */
    static List<int[]> readTokenBin(Path file) {
        try {
            long size = Files.size(file);
            if (size % 2 != 0 || size > Integer.MAX_VALUE) {
                throw new PlateauException("The dataset " + file + " is not a file of uint16 token ids.");
            }
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            List<int[]> docs = new ArrayList<>();
            int[] ids = new int[(int) (size / 2)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = b.getShort() & 0xffff;
            }
            int start = 0;
            for (int i = 0; i <= ids.length; i++) {
                if (i == ids.length || ids[i] == Gpt2Tokenizer.END_OF_TEXT) {
                    if (i > start) {
                        docs.add(java.util.Arrays.copyOfRange(ids, start, i));
                    }
                    start = i + 1;
                }
            }
            return docs;
        } catch (IOException e) {
            throw new PlateauException("The dataset " + file + " cannot be read (" + e.getMessage() + ").");
        }
    }

    private static void requireGpt2Vocabulary(Gpt2Config config, String spec) {
        if (!config.hasGpt2Vocabulary()) {
            throw new PlateauException("The dataset " + spec + " is text, but the model's vocabulary ("
                    + config.vocabSize() + " tokens) is not GPT-2's; give token ids (.jsonl with input_ids).");
        }
    }

    private static void checkVocabulary(PromptSource source, Gpt2Config config, String spec) {
        if (source instanceof RowStarts rows) {
            for (int k = 0; k < rows.size(); k++) {
                check(rows.row(k), config, spec);
            }
        } else if (source instanceof TokenWindows w) {
            for (long k = 0; k < w.size(); k += 1) {
                check(w.window(k), config, spec);
            }
        }
    }

    private static void check(int[] tokens, Gpt2Config config, String spec) {
        for (int t : tokens) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new PlateauException("The dataset " + spec + " holds token id " + t
                        + ", outside the model's vocabulary (0 to " + (config.vocabSize() - 1) + ").");
            }
        }
    }
}
