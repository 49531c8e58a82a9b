package org.plateau.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;
import org.plateau.io.AtomicFiles;
import org.plateau.io.CacheDir;
import org.plateau.io.Hashing;
import org.plateau.io.Json;
import org.plateau.perturbation.Seeds;

/**
 * A dataset of the hub read through its dataset-rows service, the paper's way: the first tokens
 * of rows drawn at random. Rows come in pages of up to 100; a seeded choice of pages gives the
 * pool, which is kept in Plateau's cache so that later runs need no network.
 *
 * <p>Named {@code hf:org/name}, optionally {@code ?rows=N&config=C&split=S&column=input_ids}.
 */
public final class HubDataset {

    /** The paper's prompts: OpenWebText, already in GPT-2 tokens. */
    public static final String PAPER = "hf:apollo-research/Skylion007-openwebtext-tokenizer-gpt2";
    static final int PAGE = 100;
    static final int DEFAULT_ROWS = 40_000;

    /** A parsed {@code hf:} name. */
    public record Spec(String repo, String config, String split, String column, int rows) {
        static Spec parse(String spec) {
            if (!spec.startsWith("hf:")) {
                throw new IllegalArgumentException(spec);
            }
            String rest = spec.substring(3);
            Map<String, String> q = new LinkedHashMap<>();
            int mark = rest.indexOf('?');
            if (mark >= 0) {
                for (String kv : rest.substring(mark + 1).split("&")) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        q.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
                rest = rest.substring(0, mark);
            }
            if (!rest.matches("[\\w.-]+/[\\w.-]+")) {
                throw new PlateauException("The dataset " + spec + " should be named hf:org/name.");
            }
            int rows;
            try {
                rows = Integer.parseInt(q.getOrDefault("rows", Integer.toString(DEFAULT_ROWS)));
            } catch (NumberFormatException e) {
                throw new PlateauException("rows= in " + spec + " must be a whole number.");
            }
            if (rows < 1 || rows > 10_000_000) {
                throw new PlateauException("rows= in " + spec + " must be between 1 and 10000000.");
            }
            return new Spec(rest, q.getOrDefault("config", "default"), q.getOrDefault("split", "train"),
                    q.getOrDefault("column", "input_ids"), rows);
        }
    }

    private HubDataset() {}

    /**
     * The first {@code length} tokens of up to {@code rows} random rows: from Plateau's cache, else
     * fetched (and then cached).
     *
     * @param progress rows fetched so far (may be null)
     */
    public static List<int[]> rowStarts(String name, int length, HubClient hub, IntConsumer progress) {
        return rowStarts(name, length, hub, progress, CacheDir.root());
    }

    /** As above, keeping the rows under {@code cacheRoot}/datasets. */
    public static List<int[]> rowStarts(String name, int length, HubClient hub, IntConsumer progress, Path cacheRoot) {
        Spec spec = Spec.parse(name);
        Path cached = cacheRoot.resolve("datasets").resolve(spec.repo().replace("/", "--"))
                .resolve(Hashing.sha256(spec.config() + "|" + spec.split() + "|" + spec.column() + "|" + spec.rows()
                        + "|" + length + "|v1").substring(0, 16) + ".json");
        if (Files.exists(cached)) {
            try {
                JsonNode root = Json.MAPPER.readTree(cached.toFile());
                List<int[]> out = new ArrayList<>();
                for (JsonNode r : root.path("rows")) {
                    int[] t = new int[r.size()];
                    for (int i = 0; i < t.length; i++) {
                        t[i] = r.get(i).asInt();
                    }
                    out.add(t);
                }
                if (!out.isEmpty()) {
                    return out;
                }
            } catch (IOException e) {
                // a damaged cache file is fetched again
            }
        }
        if (hub.settings().offline()) {
            throw new PlateauException("HF_HUB_OFFLINE is set and the dataset " + name + " has not been fetched before.");
        }
        List<int[]> rows = fetch(spec, length, hub, progress);
        var json = Json.MAPPER.createObjectNode();
        json.put("dataset", spec.repo());
        json.put("config", spec.config());
        json.put("split", spec.split());
        json.put("tokens_per_row", length);
        json.putPOJO("rows", rows);
        AtomicFiles.writeString(cached, json.toString());
        return rows;
    }

    private static List<int[]> fetch(Spec spec, int length, HubClient hub, IntConsumer progress) {
        JsonNode first = page(spec, 0, 1, hub);
        long total = first.path("num_rows_total").asLong(-1);
        if (total <= 0) {
            throw new PlateauException("The dataset service reported no rows for " + spec.repo() + ".");
        }
        long pages = (total + PAGE - 1) / PAGE;
        int wanted = (int) Math.min(pages, (spec.rows() + PAGE - 1) / PAGE);
        // distinct pages in a seeded order: the pool is a property of the dataset, not of one run
        RandomGenerator rng = Seeds.stream(0, "hub-dataset", spec.repo(), spec.split());
        TreeSet<Long> chosen = new TreeSet<>();
        while (chosen.size() < wanted) {
            chosen.add(pages <= Integer.MAX_VALUE ? rng.nextInt((int) pages) : Math.floorMod(rng.nextLong(), pages));
        }
        List<int[]> out = new ArrayList<>();
        for (long p : chosen) {
            JsonNode page = page(spec, p * PAGE, PAGE, hub);
            for (JsonNode row : page.path("rows")) {
                int[] t = leadingTokens(row.path("row").path(spec.column()), length);
                if (t.length == length && out.size() < spec.rows()) {
                    out.add(t);
                }
            }
            if (progress != null) {
                progress.accept(out.size());
            }
        }
        if (out.isEmpty()) {
            throw new PlateauException("The dataset " + spec.repo() + " has no rows of at least " + length + " tokens in its"
                    + " column " + spec.column() + ".");
        }
        return out;
    }

    private static JsonNode page(Spec spec, long offset, int length, HubClient hub) {
        URI url = URI.create(hub.settings().datasetsServer() + "/rows?dataset=" + enc(spec.repo()) + "&config="
                + enc(spec.config()) + "&split=" + enc(spec.split()) + "&offset=" + offset + "&length=" + length);
        try {
            return Json.MAPPER.readTree(hub.getText(url, "the dataset " + spec.repo()));
        } catch (IOException e) {
            throw new PlateauException("The dataset service sent something that is not JSON for " + spec.repo() + ".");
        }
    }

    private static final Pattern INT = Pattern.compile("-?\\d+");

    /**
     * The first tokens of a cell: an array, or — for long rows the service truncates — a string
     * holding the start of the array.
     */
    static int[] leadingTokens(JsonNode cell, int length) {
        List<Integer> out = new ArrayList<>();
        if (cell.isArray()) {
            for (int i = 0; i < Math.min(length, cell.size()); i++) {
                out.add(cell.get(i).asInt());
            }
        } else if (cell.isTextual()) {
            Matcher m = INT.matcher(cell.asText());
            while (out.size() < length && m.find()) {
                out.add(Integer.parseInt(m.group()));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
