package org.plateau.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.data.Datasets;
import org.plateau.explore.Ablation;
import org.plateau.explore.DirectReads;
import org.plateau.explore.Perturbation;
import org.plateau.explore.ReadLayerView;
import org.plateau.explore.UserSettings;
import org.plateau.hub.Neuronpedia;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.Seeds;
import org.plateau.perturbation.TargetType;
import org.plateau.sae.RandomSaeFiles;
import org.plateau.sae.Sae;
import org.plateau.plot.FigureFormat;
import org.plateau.ui.ExportActions.Figure;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The anatomy of a blow-up in the window: read layer, ablations and explanations, on the oracle's tiny model. */
@ExtendWith(ApplicationExtension.class)
class AnatomyWindowTest {

    static final Path FIXTURE = Fixtures.tinyA();
    static final HookPoint READ = HookPoint.residPost(3);

    @TempDir
    Path tmp;
    MainWindow w;
    HttpServer neuronpedia;

    @Start
    void start(Stage stage) {
        UserSettings d = UserSettings.defaults();
        UserSettings s = new UserSettings(FIXTURE.resolve("model").toString(), FIXTURE.resolve("sae").toString(), "tl",
                "random", "absolute", 0.5, d.hook(), d.read(), 20, 4, List.of("model-generated"), "ms_l2", 800, 500, 1,
                1400, 900, 600, null);
        w = new MainWindow(stage, s);
        stage.show();
    }

    @AfterEach
    void stop() {
        if (neuronpedia != null) {
            neuronpedia.stop(0);
        }
    }

    void settle() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> w.idle());
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** A read-layer SAE for the fixture model, made from its activations at the read hook, with a Neuronpedia id. */
    Path readSae() throws Exception {
        try (Gpt2 m = Gpt2.load(FIXTURE.resolve("model"), Processing.TL)) {
            var prompts = Datasets.open(Datasets.SAMPLE_PROMPTS, m.config(), 10).prompts();
            var rng = Seeds.stream(0, "window-read-sae");
            List<int[]> drawn = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                drawn.add(prompts.draw(rng));
            }
            return RandomSaeFiles.fromActivations(tmp.resolve("read-sae"), m.activations(drawn, READ), 192, 0.06, 5,
                    READ.name(), "\"neuronpedia_id\": \"tiny-a/3-read\"");
        }
    }

    /** A local server answering as Neuronpedia's feature API: "meaning of N" for every latent of tiny-a/3-read. */
    Neuronpedia serveExplanations() throws Exception {
        neuronpedia = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        neuronpedia.createContext("/api/feature/tiny-a/3-read/", ex -> {
            String index = ex.getRequestURI().getPath().replaceAll(".*/", "");
            byte[] body = ("{\"modelId\":\"tiny-a\",\"layer\":\"3-read\",\"index\":\"" + index
                    + "\",\"explanations\":[{\"description\":\"meaning of " + index + "\"}]}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        neuronpedia.start();
        return new Neuronpedia("http://127.0.0.1:" + neuronpedia.getAddress().getPort(), tmp.resolve("np"), false,
                Duration.ofSeconds(5));
    }

    static List<Label> labels(Node root) {
        List<Label> out = new ArrayList<>();
        if (root instanceof Label l) {
            out.add(l);
        }
        if (root instanceof javafx.scene.Parent p) {
            for (Node c : p.getChildrenUnmodifiable()) {
                out.addAll(labels(c));
            }
        }
        if (root instanceof javafx.scene.control.ScrollPane sp && sp.getContent() != null) {
            out.addAll(labels(sp.getContent()));
        }
        return out;
    }

    @Test
    void theReadLayerAndTheAblationsShowWhatTheEngineComputesWithExplanations(FxRobot robot) throws Exception {
        Path readSae = readSae();
        w.explanations.use(serveExplanations());
        robot.interact(w::loadModel);
        settle();
        robot.clickOn("#typedPrompt").write("121,286,364,442,423,64,435,455,60,370").type(KeyCode.ENTER);
        settle();
        robot.interact(() -> {
            w.explore.side.getSelectionModel().select(1);
            w.explore.readLayer.path.setText(readSae.toString());
        });
        robot.clickOn("#loadReadSae");
        settle();
        assertEquals("", w.errorText());
        Perturbation p = w.explore.shown().get(0);
        int ms = p.metric(Metric.MS_L2);
        robot.interact(() -> w.selectStep(ms));
        settle();

        // the read layer: what switched around MS is the read activations there, encoded directly
        ReadLayerView v = w.explore.readLayer.view();
        assertEquals(READ.name(), v.hook());
        assertEquals(ms, v.ms());
        Sae sae = Sae.load(readSae);
        Gpt2 model = w.explorer().lab().model();
        double[] before = sae.encode(DirectReads.at(model, p, Math.max(0, ms - 1)));
        double[] after = sae.encode(DirectReads.at(model, p, ms + 1));
        assertFalse(v.aroundMs().isEmpty());
        for (ReadLayerView.Change c : v.aroundMs()) {
            assertEquals(before[c.latent()], c.before(), 1e-3, "latent " + c.latent() + " before");
            assertEquals(after[c.latent()], c.after(), 1e-3, "latent " + c.latent() + " after");
        }
        for (int r = 0; r < v.strip().latents().length; r++) {
            assertEquals(after[v.strip().latents()[r]], v.strip().values()[r][ms + 1], 1e-3, "strip row " + r);
        }
        assertTrue(w.explore.readLayer.strip.getHeight() >= v.strip().latents().length * ReadLayerPanel.ROW);

        // explanations arrive without blocking, beside the indices; an index opens the latent's page
        int top = v.unperturbed().get(0).latent();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> labels(w.explore.readLayer).stream()
                .anyMatch(l -> l.getText().equals("meaning of " + top) && l.isVisible()));
        Label index = labels(w.explore.readLayer).stream().filter(l -> l.getText().equals("L" + top)
                && l.getStyleClass().contains("latent-link")).findFirst().orElseThrow();
        robot.interact(() -> index.getOnMouseClicked().handle(null));
        assertTrue(w.explanations.lastOpened().endsWith("/tiny-a/3-read/" + top), w.explanations.lastOpened());

        // ablations: one per active base latent, as the engine computes them; a click opens the sweep toward one
        robot.interact(() -> w.explore.side.getSelectionModel().select(2));
        settle();
        List<Ablation> shown = w.explore.ablation.shown();
        int active = w.explorer().lab().sae().activeLatents(p.base()).size();
        assertEquals(active, shown.size());
        var request = new org.plateau.explore.ExploreRequest(p.baseTokens(), TargetType.RANDOM, null, p.settings().mode(),
                1, w.perturbationSettings(w.explorer().lab()));
        List<Ablation> engine = new java.util.concurrent.CompletableFuture<List<Ablation>>().completeAsync(
                () -> w.explorer().ablations(request)).get();
        assertEquals(engine, shown);
        robot.clickOn("#ablation-" + shown.get(0).latent());
        settle();
        Perturbation opened = w.explore.shown().get(0);
        assertEquals(TargetType.ABLATE_LATENT, opened.targetType());
        assertEquals(shown.get(0).latent(), opened.target().ablated().index());

        // exports of both views, as pictures and as data
        Path png = tmp.resolve("ablation.png");
        Path csv = tmp.resolve("read.csv");
        Path json = tmp.resolve("ablation.json");
        robot.interact(() -> w.exports.exportPng(Figure.ABLATION, png, 500, 600, 1));
        robot.interact(() -> w.exports.exportData(Figure.ABLATION, "json", json));
        assertEquals("", w.errorText());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(500, image.getWidth());
        assertTrue(Files.readString(json).contains("\"latent\" : " + shown.get(0).latent()));
        // the ablation figure in vector form names the latents the window shows, strongest first
        Path ablationSvg = tmp.resolve("ablation.svg");
        robot.interact(() -> w.exports.exportFigure(Figure.ABLATION, FigureFormat.SVG, ablationSvg, 900, 420, 1));
        assertEquals("", w.errorText());
        String svgText = Files.readString(ablationSvg);
        assertTrue(svgText.contains("Removing each latent of the base") && svgText.contains("L2 at the read hook"));
        assertTrue(svgText.contains(">" + shown.get(0).latent() + "<"), "the strongest ablation's latent is named");
        robot.interact(() -> w.selectStep(ms));
        settle();
        robot.interact(() -> w.exports.exportData(Figure.READ_LAYER, "csv", csv));
        assertTrue(Files.readString(csv).startsWith("part,latent,step,value,before,after\n"));
        assertTrue(Files.readString(csv).contains("strip," + v.strip().latents()[0] + ",0,"));
        // the read layer as a PDF figure: one page of the size asked, the strip's strongest latent in its legend
        ReadLayerView now = w.explore.readLayer.view();
        Path pdf = tmp.resolve("read.pdf");
        robot.interact(() -> w.exports.exportFigure(Figure.READ_LAYER, FigureFormat.PDF, pdf, 1000, 440, 1));
        assertEquals("", w.errorText());
        try (org.apache.pdfbox.pdmodel.PDDocument doc = org.apache.pdfbox.Loader.loadPDF(pdf.toFile())) {
            assertEquals(1, doc.getNumberOfPages());
            assertEquals(1000, doc.getPage(0).getMediaBox().getWidth(), 1e-3);
            String text = new org.apache.pdfbox.text.PDFTextStripper().getText(doc);
            assertTrue(text.contains("across the blow-up") && text.contains("MS step " + now.ms()), text);
            assertTrue(text.contains("latent " + strongestOfStrip(now.strip())), text);
        }
    }

    @Test
    void withoutNeuronpediaTheIndicesStandAlone(FxRobot robot) throws Exception {
        Path readSae = readSae();
        Neuronpedia down = new Neuronpedia("http://127.0.0.1:9", tmp.resolve("np-none"), false, Duration.ofSeconds(2));
        w.explanations.use(down);
        robot.interact(() -> {
            w.explore.side.getSelectionModel().select(1);
            w.explore.readLayer.path.setText(readSae.toString());
        });
        robot.interact(w::loadModel);
        settle();
        robot.clickOn("#typedPrompt").write("121,286,364,442,423,64,435,455,60,370").type(KeyCode.ENTER);
        settle();
        robot.clickOn("#loadReadSae");
        settle();
        int ms = w.explore.shown().get(0).metric(Metric.MS_L2);
        robot.interact(() -> w.selectStep(ms));
        settle();
        int top = w.explore.readLayer.view().unperturbed().get(0).latent();
        // the failed fetch has come back (and is remembered for the session)
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> down.known(Neuronpedia.Source.of("tiny-a/3-read"), top) != null);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", w.errorText());
        List<Label> ls = labels(w.explore.readLayer);
        assertTrue(ls.stream().anyMatch(l -> l.getText().matches("L\\d+")), "indices shown");
        assertTrue(ls.stream().filter(l -> l.getStyleClass().contains("latent-explanation")).noneMatch(Node::isVisible),
                "no explanation, no error");
    }

    @Test
    void theReadLayerSaeIsLoadedAgainInTheNextSession(FxRobot robot) throws Exception {
        Path readSae = readSae();
        Neuronpedia down = new Neuronpedia("http://127.0.0.1:9", tmp.resolve("np-none"), false, Duration.ofSeconds(2));
        w.explanations.use(down);
        robot.interact(w::loadModel);
        settle();
        assertNull(w.currentSettings().readSae(), "no read-layer SAE yet, none remembered");
        robot.interact(() -> {
            w.explore.side.getSelectionModel().select(1);
            w.explore.readLayer.path.setText(readSae.toString());
        });
        robot.clickOn("#loadReadSae");
        settle();
        UserSettings remembered = w.currentSettings();
        assertEquals(readSae.toString(), remembered.readSae());

        // the next session: the same settings, a new window; the read-layer SAE comes back with the model
        MainWindow[] next = new MainWindow[1];
        robot.interact(() -> {
            Stage stage = new Stage();
            next[0] = new MainWindow(stage, remembered);
            next[0].explanations.use(down);
            stage.show();
            next[0].loadModel();
        });
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> next[0].explorer() != null
                && next[0].explorer().lab().readSae() != null && next[0].idle());
        WaitForAsyncUtils.waitForFxEvents();
        try {
            assertEquals("", next[0].errorText());
            assertEquals(readSae.toString(), next[0].explore.readLayer.path.getText());
            assertEquals(readSae, next[0].explorer().lab().readSae().dir());
            assertEquals(readSae.toString(), next[0].currentSettings().readSae());
            // its sweep was run again to carry the read activations: still one perturbation in the history
            assertEquals(1, next[0].exploring.history.size());
            assertTrue(next[0].explore.readLayer.view() != null, "the read layer is shown");
        } finally {
            robot.interact(() -> {
                next[0].close();
                next[0].stage.close();
            });
        }
    }

    /** The strip's latent with the largest value anywhere: the first line of the read-layer figure. */
    private static int strongestOfStrip(org.plateau.explore.ReadLayerView.Strip strip) {
        int best = 0;
        double top = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < strip.latents().length; r++) {
            double m = java.util.Arrays.stream(strip.values()[r]).max().orElse(0);
            if (m > top) {
                top = m;
                best = r;
            }
        }
        return strip.latents()[best];
    }
}
