package org.plateau.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.perturbation.Paper;
import org.plateau.Fixtures;
import org.plateau.data.Datasets;
import org.plateau.io.Json;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.TargetType;

/** The study end to end on the oracle's tiny model. */
class ReproduceTest {

    static final int N = 6;

    @TempDir
    static Path tmp;
    static Path full;

    static StudySettings settings(int n, long seed) {
        return new StudySettings(n, seed, Datasets.SAMPLE_PROMPTS, HookPoint.residPre(1), HookPoint.residPost(3), 0.5, 100,
                20, 0.42, 1500, TargetType.studied(), Set.of(Experiment.values()));
    }

    static Lab lab() {
        Path f = Fixtures.tinyA();
        return Lab.open(f.resolve("model"), f.resolve("sae"), Processing.TL, Device.cpu());
    }

    static StudyResults run(Path out, StudySettings s, boolean resume, java.util.function.BooleanSupplier cancel) {
        return run(out, s, resume, cancel, 1);
    }

    /** As above, a base's batches {@code lanes} at a time (reproduce --lanes). */
    static StudyResults run(Path out, StudySettings s, boolean resume, java.util.function.BooleanSupplier cancel,
            int lanes) {
        try (Lab lab = lab()) {
            lab.model().runSideBySide(lanes);
            Datasets.Dataset d = Datasets.open(s.dataset(), lab.model().config(), Paper.PROMPT_LENGTH);
            StudyResults r = new Reproduction(lab, s, d, "test").run(out, resume, new Reproduction.Listener() {}, cancel);
            if (r != null) {
                org.plateau.report.RunReport.write(r, out);
            }
            return r;
        }
    }

    @BeforeAll
    static void runOnce() {
        full = tmp.resolve("full");
        assertTrue(run(full, settings(N, 7), false, () -> false) != null);
    }

    /** results.json without what may differ between equal runs: the timing. */
    static JsonNode withoutTiming(Path out) throws IOException {
        ObjectNode root = (ObjectNode) Json.RECORDS.readTree(out.resolve("results.json").toFile());
        ((ObjectNode) root.get("provenance")).remove("timing");
        return root;
    }

    @Test
    void everyTableRowAndFigureIsThere() throws IOException {
        String report = Files.readString(full.resolve("report.md"));
        for (String table : List.of("Table 1 ", "Table A.1 ", "Table B.1 ", "Table B.2 ", "Table C.1 ", "Table D.1 ",
                "Table AP ", "Table X.1 ", "Table E ")) {
            assertTrue(report.contains("## " + table), table);
        }
        for (String fig : List.of("1", "2", "3", "A1", "B1", "B2", "C1", "D1", "X1", "E1", "E2")) {
            Path png = full.resolve("figures/figure-" + fig + ".png");
            BufferedImage image = ImageIO.read(png.toFile());
            assertTrue(image != null && image.getWidth() > 800 && image.getHeight() > 400, png.toString());
            assertTrue(report.contains("figures/figure-" + fig + ".png"), "report shows figure " + fig);
        }
        StudyResults r = StudyResults.read(full.resolve("results.json"));
        // 8 targets × 2 modes + 5 plateau bases per base; 8 latent records per base
        assertEquals(N * (8 * 2 + 5), r.perturbations().size());
        assertEquals(N * 8, r.latents().size());
        // Plateau's own type says so beside the paper's
        assertTrue(report.contains("synthetic-cooccurrence *(Plateau's extension)*"), "marked in the tables");
        assertTrue(report.contains(Reproduction.COOCCURRENCE_NOTE), "explained in the notes");
        for (PerturbationRecord p : r.perturbations()) {
            assertEquals(101, p.l2().length);
            assertEquals(101, p.kl().length);
            assertEquals(10, p.baseTokens().length);
        }
        JsonNode prov = Json.RECORDS.readTree(full.resolve("results.json").toFile()).path("provenance");
        assertEquals(64, prov.path("model").path("sha256").asText().length());
        assertEquals(64, prov.path("sae").path("sha256").asText().length());
        // which MKL kernels did the sums (their order decides the last float32 digits), in the report too
        assertEquals(org.plateau.model.MklKernels.describe(), prov.path("mkl_kernels").asText());
        assertEquals(org.plateau.model.GlibcMalloc.describe(), prov.path("malloc_mmap_threshold").asText());
        assertTrue(report.contains("matrix products: " + org.plateau.model.MklKernels.describe()), "the report's device row");
    }

    /** Parses report.md's metric tables: table id → rows of cells. */
    static Map<String, List<String[]>> reportTables(String report) {
        Map<String, List<String[]>> out = new HashMap<>();
        String current = null;
        for (String line : report.split("\n")) {
            if (line.startsWith("## Table ")) {
                current = line.substring(9, line.indexOf(' ', 9));
                out.put(current, new ArrayList<>());
            } else if (current != null && line.startsWith("| ") && !line.startsWith("| type") && !line.startsWith("|---")) {
                out.get(current).add(Arrays.stream(line.split("\\|")).map(String::strip).filter(c -> !c.isEmpty())
                        .toArray(String[]::new));
            }
        }
        return out;
    }

    @Test
    void reportStatisticsAgreeWithTheRecordsInResultsJson() throws IOException {
        JsonNode root = Json.RECORDS.readTree(full.resolve("results.json").toFile());
        Map<String, List<String[]>> tables = reportTables(Files.readString(full.resolve("report.md")));
        Map<String, String[]> spec = Map.of( // table → experiment, metric field, rows by base?
                "1", new String[] {"sensitivity", "ms_l2", "target"}, "A.1", new String[] {"relative", "ms_l2", "target"},
                "B.1", new String[] {"sensitivity", "auc_l2", "target"}, "B.2", new String[] {"sensitivity", "nl_l2", "target"},
                "C.1", new String[] {"sensitivity", "ms_kl", "target"}, "AP", new String[] {"plateau", "ap_l2", "base"});
        int checked = 0;
        for (Map.Entry<String, String[]> e : spec.entrySet()) {
            String[] s = e.getValue();
            for (String[] row : tables.get(e.getKey())) {
                row[0] = row[0].split(" ")[0]; // the type's id, without "(Plateau's extension)"
                double[] sample = column(root, s[0], s[1], s[2], row[0]);
                double[] reference = column(root, s[0], s[1], s[2], "model-generated");
                assertEquals(Integer.parseInt(row[2]), sample.length, e.getKey() + " " + row[0] + " n");
                double mean = Arrays.stream(sample).average().orElseThrow();
                double var = Arrays.stream(sample).map(v -> (v - mean) * (v - mean)).sum() / sample.length;
                double ks = new KolmogorovSmirnovTest().kolmogorovSmirnovStatistic(sample, reference);
                assertEquals(mean, Double.parseDouble(row[3]), 0.005 + 1e-9, e.getKey() + " " + row[0] + " mean");
                assertEquals(Math.sqrt(var), Double.parseDouble(row[5]), 0.005 + 1e-9, e.getKey() + " " + row[0] + " std");
                assertEquals(ks, Double.parseDouble(row[7]), 0.0005 + 1e-9, e.getKey() + " " + row[0] + " KS");
                checked++;
            }
        }
        assertEquals(5 * 4 + 5, checked);
        // tables D.1 and X.1 mix both modes
        for (String[] row : java.util.stream.Stream.concat(tables.get("D.1").stream(), tables.get("X.1").stream()).toList()) {
            row[0] = row[0].split(" ")[0];
            double[] sample = column(root, row[1].equals("absolute") ? "sensitivity" : "relative", "ms_l2", "target", row[0]);
            assertEquals(Arrays.stream(sample).average().orElseThrow(), Double.parseDouble(row[3]), 0.005 + 1e-9);
        }
    }

    static double[] column(JsonNode root, String experiment, String field, String by, String type) {
        List<Double> v = new ArrayList<>();
        for (JsonNode p : root.path("perturbations")) {
            if (p.path("experiment").asText().equals(experiment) && p.path(by + "_type").asText().equals(type)) {
                v.add(p.path(field).asDouble());
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void theSameSeedGivesTheSameResultsAndAnotherSeedDoesNot() throws IOException {
        Path again = tmp.resolve("again");
        run(again, settings(N, 7), false, () -> false);
        assertEquals(withoutTiming(full), withoutTiming(again));
        Path other = tmp.resolve("other");
        run(other, settings(N, 8), false, () -> false);
        assertFalse(withoutTiming(full).path("perturbations").equals(withoutTiming(other).path("perturbations")));
    }

    @Test
    void batchesSideBySideGiveTheSameResults() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
                "--lanes 2 needs two cores; this machine has one");
        // a base's 21 sweeps of 101 rows make two batches, one per lane, the same two as on one lane
        Path side = tmp.resolve("lanes");
        run(side, settings(N, 7), false, () -> false, 2);
        assertEquals(withoutTiming(full), withoutTiming(side));
    }

    @Test
    void anInterruptedRunResumesToTheSameResults() throws IOException {
        Path out = tmp.resolve("interrupted");
        AtomicInteger polls = new AtomicInteger();
        // stop after three bases, as a cancel or a kill between bases would
        assertNull(run(out, settings(N, 7), false, () -> polls.incrementAndGet() > 3));
        assertFalse(Files.exists(out.resolve("results.json")), "no results before the end");
        // a kill in the middle of writing leaves a torn last line
        Files.writeString(out.resolve("journal.jsonl"), "{\"index\": 3, \"perturba",
                java.nio.file.StandardOpenOption.APPEND);
        assertTrue(run(out, settings(N, 7), true, () -> false) != null);
        assertEquals(withoutTiming(full), withoutTiming(out));
        assertEquals(N + 1, Files.readAllLines(out.resolve("journal.jsonl")).size(), "header and one line per base");
    }

    @Test
    void resumingWithOtherSettingsIsRefused() {
        Path out = tmp.resolve("refuse");
        run(out, settings(3, 7), false, () -> false);
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.plateau.PlateauException.class,
                () -> run(out, settings(3, 9), true, () -> false));
        assertTrue(e.getMessage().contains("settings.seed = 7"), e.getMessage());
        var again = org.junit.jupiter.api.Assertions.assertThrows(org.plateau.PlateauException.class,
                () -> run(out, settings(3, 7), false, () -> false));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());
    }
    /** --types: a study of some types sweeps only those, and what it sweeps is what the whole study gives. */
    @Test
    void aStudyOfSomeTypesLeavesTheOthersOutAndChangesNothingElse() throws IOException {
        List<TargetType> some = List.of(TargetType.MODEL_GENERATED, TargetType.RANDOM, TargetType.SYNTHETIC_STRUCTURED);
        StudySettings all = settings(N, 7);
        StudySettings s = new StudySettings(N, 7, all.dataset(), all.perturbation(), some, all.experiments());
        Path out = tmp.resolve("some-types");
        StudyResults r = run(out, s, false, () -> false);
        // 3 targets × 2 modes, and the plateau experiment from the 3 bases among them
        assertEquals(N * (3 * 2 + 3), r.perturbations().size());
        assertEquals(N * 3, r.latents().size());
        StudyResults whole = StudyResults.read(full.resolve("results.json"));
        for (PerturbationRecord p : r.perturbations()) {
            String type = p.experiment().equals("plateau") ? p.baseType() : p.targetType();
            assertTrue(some.stream().anyMatch(t -> t.id().equals(type)), p.experiment() + " " + type);
            PerturbationRecord same = whole.perturbations().stream()
                    .filter(q -> q.experiment().equals(p.experiment()) && q.mode().equals(p.mode()) && q.index() == p.index()
                            && q.baseType().equals(p.baseType()) && q.targetType().equals(p.targetType()))
                    .findFirst().orElseThrow();
            // the same draws; the curves through other batch shapes, so equal up to float32 rounding
            assertTrue(Arrays.equals(same.baseTokens(), p.baseTokens()) && Arrays.equals(same.targetTokens(), p.targetTokens())
                    && java.util.Objects.equals(same.chosenLatents(), p.chosenLatents()) && same.distance() == p.distance(), type);
            for (int n = 0; n < p.l2().length; n++) {
                assertEquals(same.l2()[n], p.l2()[n], 1e-4 * (1 + Math.abs(same.l2()[n])), type + " L2 at step " + n);
            }
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("Target types asked for (--types): model-generated, random, synthetic-structured."
                + " Not run, so their rows show n = 0: synthetic-random, synthetic-baseline, synthetic-structured-no-cos,"
                + " sae-reconstruction, synthetic-cooccurrence."), "the notes say what was left out");
        assertFalse(Files.readString(full.resolve("report.md")).contains("(--types)"), "not when all ran");
    }
}
