package org.plateau.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.data.Datasets;
import org.plateau.io.Json;
import org.plateau.metrics.DistributionStats;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.Seeds;
import org.plateau.sae.RandomSaeFiles;

/** The study at every layer on the oracle's model: each layer a reproduce run, layer 1 the same as reproduce's. */
class LayersCommandTest {

    @TempDir
    static Path tmp;
    static Path release;
    static Path study;
    static Path model = Fixtures.tinyA().resolve("model");

    static final String[] COMMON = {"--n", "3", "--seed", "4", "--dataset", "sample-prompts", "--stats-activations", "300"};

    static String[] args(String... first) {
        List<String> a = new ArrayList<>(List.of(first));
        a.addAll(List.of(COMMON));
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void studyTwoLayers() throws Exception {
        // a release laid out as jbloom's: one folder per hook; layer 1's is the oracle's SAE, layer 0's made from activations
        release = tmp.resolve("release");
        copy(Fixtures.tinyA().resolve("sae"), release.resolve("blocks.1.hook_resid_pre"));
        try (Gpt2 m = Gpt2.load(model, Processing.TL, Device.cpu())) {
            var prompts = Datasets.open(Datasets.SAMPLE_PROMPTS, m.config(), 10).prompts();
            var rng = Seeds.stream(0, "layer-0-sae");
            List<int[]> drawn = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                drawn.add(prompts.draw(rng));
            }
            RandomSaeFiles.fromActivations(release.resolve("blocks.0.hook_resid_pre"),
                    m.activations(drawn, HookPoint.residPre(0)), 256, 0.05, 3, "blocks.0.hook_resid_pre", "");
        }
        study = tmp.resolve("study");
        JsonNode out = CliRun.of(args("layers", "--model", model.toString(), "--release", release.toString(),
                "--layers", "0-1", "--out", study.toString())).json();
        assertEquals(2, out.path("layers").asInt());
    }

    static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    /** results.json without what differs between two runs of the same study: timing, paths, sources, checks. */
    static JsonNode comparable(Path results) throws Exception {
        ObjectNode root = (ObjectNode) Json.RECORDS.readTree(results.toFile());
        root.remove("provenance");
        return root;
    }

    @Test
    void layerOneIsWhatReproduceMakes() throws Exception {
        Path rep = tmp.resolve("reproduce");
        CliRun.of(args("reproduce", "--model", model.toString(), "--sae", Fixtures.tinyA().resolve("sae").toString(),
                "--experiments", "sensitivity,relative,plateau", "--out", rep.toString())).json();
        JsonNode a = comparable(study.resolve("layer-01/results.json"));
        JsonNode b = comparable(rep.resolve("results.json"));
        assertEquals(b.path("settings"), a.path("settings"));
        assertEquals(b.path("perturbations"), a.path("perturbations"), "the same perturbations, value for value");
        assertEquals(b, a);
        // layer 0 is another layer: perturbed at its own hook
        JsonNode zero = comparable(study.resolve("layer-00/results.json"));
        assertEquals("blocks.0.hook_resid_pre", zero.path("settings").path("hook").asText());
        assertTrue(!zero.path("perturbations").equals(a.path("perturbations")));
    }

    @Test
    void theSummaryTableAgreesWithEachLayersRecords() throws Exception {
        String md = Files.readString(study.resolve("layers.md"));
        for (String fig : List.of("layers-ms.png", "layers-ks.png", "layers-ap.png")) {
            BufferedImage image = ImageIO.read(study.resolve("figures").resolve(fig).toFile());
            assertTrue(image != null && image.getWidth() > 800, fig);
            assertTrue(md.contains("figures/" + fig), fig + " in layers.md");
        }
        for (String layer : List.of("layer-00", "layer-01")) {
            assertTrue(Files.exists(study.resolve(layer).resolve("report.md")), layer + " has its own report");
            assertTrue(md.contains("(" + layer + "/report.md)"), "layers.md links " + layer);
        }
        int checked = 0;
        for (String line : md.split("\n")) {
            String[] c = line.split("\\|");
            if (c.length < 10 || !c[1].strip().matches("\\d+")) {
                continue;
            }
            int layer = Integer.parseInt(c[1].strip());
            String type = c[3].strip().split(" ")[0];
            JsonNode rs = Json.RECORDS.readTree(study.resolve(String.format("layer-%02d/results.json", layer)).toFile());
            double[] ms = values(rs, "sensitivity", "target_type", type, "ms_l2");
            double[] reference = values(rs, "sensitivity", "target_type", "model-generated", "ms_l2");
            assertEquals(String.format(java.util.Locale.ROOT, "%.2f ± %.2f", DistributionStats.mean(ms),
                    DistributionStats.populationStd(ms)), c[5].strip(), line);
            assertEquals(String.format(java.util.Locale.ROOT, "%.3f", DistributionStats.ksStatistic(ms, reference)),
                    c[6].strip(), line);
            double[] ap = values(rs, "plateau", "base_type", type, "ap_l2");
            assertEquals(ap.length == 0 ? "—" : String.format(java.util.Locale.ROOT, "%.2f ± %.2f",
                    DistributionStats.mean(ap), DistributionStats.populationStd(ap)), c[9].strip(), line);
            checked++;
        }
        assertEquals(2 * 8, checked, "every type at both layers");
    }

    static double[] values(JsonNode results, String experiment, String field, String type, String metric) {
        List<Double> out = new ArrayList<>();
        for (JsonNode p : results.path("perturbations")) {
            if (p.path("experiment").asText().equals(experiment) && p.path(field).asText().equals(type)) {
                out.add(p.path(metric).asDouble());
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void aFinishedStudyIsKeptUnlessResumedAndResumingChangesNothing() throws Exception {
        CliRun.of(args("layers", "--model", model.toString(), "--release", release.toString(), "--layers", "0-1",
                "--out", study.toString())).assertRefused("--resume");
        String before = Files.readString(study.resolve("layer-00/results.json"));
        CliRun.of(args("layers", "--model", model.toString(), "--release", release.toString(), "--layers", "0-1",
                "--out", study.toString(), "--resume")).json();
        assertEquals(comparable(study.resolve("layer-00/results.json")).toString(),
                ((ObjectNode) Json.RECORDS.readTree(before)).without("provenance").toString());
        // other settings are not a resume of this study
        CliRun.of("layers", "--model", model.toString(), "--release", release.toString(), "--layers", "0-1",
                "--out", study.toString(), "--resume", "--n", "4", "--seed", "4", "--dataset", "sample-prompts",
                "--stats-activations", "300").assertRefused("other settings");
    }

    @Test
    void figuresComeInTheFormatsAsked() throws Exception {
        Path out = tmp.resolve("vector");
        CliRun.of(args("reproduce", "--model", model.toString(), "--sae", Fixtures.tinyA().resolve("sae").toString(),
                "--experiments", "sensitivity,plateau", "--figure-format", "svg,pdf", "--out", out.toString())).json();
        for (String stem : List.of("figure-1", "figure-2", "figure-3")) {
            assertTrue(Files.size(out.resolve("figures/" + stem + ".svg")) > 1000, stem + ".svg");
            assertTrue(Files.size(out.resolve("figures/" + stem + ".pdf")) > 1000, stem + ".pdf");
            assertTrue(!Files.exists(out.resolve("figures/" + stem + ".png")), "no PNG unless asked");
        }
        try (var doc = org.apache.pdfbox.Loader.loadPDF(out.resolve("figures/figure-1.pdf").toFile())) {
            assertEquals(1, doc.getNumberOfPages());
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("(figures/figure-1.svg)"), "the report shows the SVG");
        CliRun.of(args("reproduce", "--model", model.toString(), "--figure-format", "png,tiff", "--out",
                tmp.resolve("never").toString())).assertRefused("'tiff'");
        assertTrue(!Files.exists(tmp.resolve("never")));
    }

    @Test
    void layersWithoutAnSaeAreRefusedBeforeAnythingRuns() {
        CliRun.of(args("layers", "--model", model.toString(), "--release", release.toString(), "--layers", "0-3",
                "--out", tmp.resolve("none").toString())).assertRefused("no SAE for layer 2");
        assertTrue(!Files.exists(tmp.resolve("none")), "nothing written");
        CliRun.of(args("layers", "--model", model.toString(), "--release", "gpt2-small-mlp-out-v5-32k", "--layers", "1",
                "--out", tmp.resolve("none").toString())).assertRefused("residual-stream");
        CliRun.of(args("layers", "--model", model.toString(), "--release", release.toString(), "--layers", "7",
                "--out", tmp.resolve("none").toString())).assertRefused("--layers takes blocks 0 to 3");
    }
}
