package org.plateau.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.plateau.Fixtures;
import org.plateau.cli.Cli;
import org.plateau.data.Datasets;
import org.plateau.experiment.Experiment;
import org.plateau.experiment.Lab;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.experiment.Reproduction;
import org.plateau.experiment.StudyResults;
import org.plateau.experiment.StudySettings;
import org.plateau.explore.Perturbation;
import org.plateau.explore.UserSettings;
import org.plateau.io.Json;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.TargetType;
import org.plateau.ui.ExportActions.Figure;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The window driven as a user would, headless, on the oracle's tiny model. */
@ExtendWith(ApplicationExtension.class)
class ExplorerWindowTest {

    static final Path FIXTURE = Fixtures.tinyA();
    static final String BASE = "121,286,364,442,423,64,435,455,60,370";

    @TempDir
    Path tmp;
    MainWindow w;

    @Start
    void start(Stage stage) {
        UserSettings d = UserSettings.defaults();
        UserSettings s = new UserSettings(FIXTURE.resolve("model").toString(), FIXTURE.resolve("sae").toString(), "tl",
                "model-generated", "absolute", 0.5, d.hook(), d.read(), 20, 4,
                List.of("model-generated", "synthetic-structured"), "ms_l2", 800, 500, 1, 1300, 850, 1000, null);
        w = new MainWindow(stage, s);
        stage.show();
    }

    /** Waits until the engine has nothing queued and the window has shown its results. */
    void settle() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> w.idle());
        WaitForAsyncUtils.waitForFxEvents();
    }

    void load(FxRobot robot) throws Exception {
        robot.interact(w::loadModel);
        settle();
        assertEquals("", w.errorText());
        assertTrue(w.modelBar.device.getText().startsWith("CPU"), w.modelBar.device.getText());
    }

    /** The engine's MS step for the same perturbation, through the command line. */
    static int engineMs(String type) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new Cli().run(new String[] {"curve", "--model", FIXTURE.resolve("model").toString(), "--sae",
                FIXTURE.resolve("sae").toString(), "--tokens", BASE, "--target", type},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, code);
        return Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8)).path("ms_l2").asInt();
    }

    @Test
    void choosingPromptAndTargetDrawsTheSweepWithItsMsDot(FxRobot robot) throws Exception {
        load(robot);
        robot.clickOn("#typedPrompt").write(BASE).type(KeyCode.ENTER);
        settle();
        robot.interact(() -> w.target.type.getSelectionModel().select(TargetType.SYNTHETIC_STRUCTURED));
        settle();
        assertEquals(10, w.prompt.chips.getChildren().size(), "ten token chips");
        assertTrue(w.prompt.chips.getChildren().get(9).getStyleClass().contains("perturbed"), "last token marked");
        assertEquals(1, w.explore.l2.curveCount());
        assertEquals(101, w.explore.l2.pointsOfFirstCurve());
        assertEquals(List.of(engineMs("synthetic-structured")), w.explore.l2.msSteps());

        // clicking a step shows the latents there
        int ms = w.explore.l2.msSteps().get(0);
        robot.interact(() -> w.selectStep(ms));
        settle();
        assertEquals(ms, w.explore.latents.view().step());
        assertFalse(w.explore.latents.view().base().isEmpty());
    }

    @Test
    void choosingAnotherLayerOffersThatLayersSaeAndLoadsItBesideTheModel(FxRobot robot) throws Exception {
        // a release on disk, laid out as jbloom's: one SAE folder per hook
        Path release = tmp.resolve("release");
        for (int layer : new int[] {1, 2}) {
            Path dir = Files.createDirectories(release.resolve("blocks." + layer + ".hook_resid_pre"));
            for (String f : List.of("sae_weights.safetensors", "sparsity.safetensors")) {
                Files.copy(FIXTURE.resolve("sae").resolve(f), dir.resolve(f));
            }
            Files.writeString(dir.resolve("cfg.json"), Files.readString(FIXTURE.resolve("sae/cfg.json"))
                    .replaceAll("blocks\\.\\d+\\.hook_resid_pre", "blocks." + layer + ".hook_resid_pre"));
        }
        robot.interact(() -> w.modelBar.sae.setText(release.resolve("blocks.1.hook_resid_pre").toString()));
        load(robot);
        assertFalse(w.saeOffer.isVisible(), "no offer while the SAE fits the hook");
        var model = w.explorer().lab().model();
        robot.interact(() -> w.target.hook.getSelectionModel().select("blocks.2.hook_resid_pre"));
        settle();
        assertTrue(w.saeOffer.isVisible(), "offered");
        assertTrue(w.saeOfferText.getText().contains("blocks.2.hook_resid_pre"), w.saeOfferText.getText());
        robot.clickOn("#saeOfferLoad");
        settle();
        assertEquals("", w.errorText());
        assertFalse(w.saeOffer.isVisible());
        assertEquals("blocks.2.hook_resid_pre", w.explorer().lab().sae().config().hookName());
        assertTrue(model == w.explorer().lab().model(), "the model was not loaded again");
        assertTrue(w.modelBar.sae.getText().endsWith("blocks.2.hook_resid_pre"), w.modelBar.sae.getText());
        assertEquals(101, w.explore.l2.pointsOfFirstCurve(), "a curve drawn with the new SAE");
        // back at layer 1: offered again; declined, nothing changes
        robot.interact(() -> w.target.hook.getSelectionModel().select("blocks.1.hook_resid_pre"));
        settle();
        assertTrue(w.saeOffer.isVisible());
        robot.clickOn("#saeOfferDismiss");
        assertFalse(w.saeOffer.isVisible());
        assertEquals("blocks.2.hook_resid_pre", w.explorer().lab().sae().config().hookName());
    }

    @Test
    void twoTypesOverlaidOnOneBase(FxRobot robot) throws Exception {
        load(robot);
        robot.clickOn("#typedPrompt").write(BASE).type(KeyCode.ENTER);
        settle();
        robot.clickOn("#overlay");
        robot.interact(() -> w.target.type.getSelectionModel().select(TargetType.SYNTHETIC_STRUCTURED));
        settle();
        assertEquals(2, w.explore.l2.curveCount());
        assertEquals(2, w.explore.kl.curveCount());
        List<Perturbation> shown = w.explore.shown();
        assertEquals(TargetType.MODEL_GENERATED, shown.get(0).targetType());
        assertEquals(TargetType.SYNTHETIC_STRUCTURED, shown.get(1).targetType());
        assertTrue(Arrays.equals(shown.get(0).baseTokens(), shown.get(1).baseTokens()), "one base");
        assertEquals(engineMs("synthetic-structured"), w.explore.l2.msSteps().get(1));
    }

    @Test
    void aSmallBatchFillsHistogramsThatSumToN(FxRobot robot) throws Exception {
        load(robot);
        robot.clickOn("Compare");
        robot.interact(() -> w.compare.n.getValueFactory().setValue(5));
        robot.clickOn("#runBatch");
        settle();
        var totals = w.compare.histogramTotals();
        assertEquals(Set.of("model-generated", "synthetic-structured"), totals.keySet());
        totals.values().forEach(t -> assertEquals(5.0, t));
        assertEquals(2, w.compare.table.getItems().size());
        // a bin's perturbations, one of them opened in the explorer
        var first = w.compare.view().types().get(0);
        int bin = 0;
        while (first.histogram().counts()[bin] == 0) {
            bin++;
        }
        int chosen = bin;
        robot.interact(() -> w.compare.listBin(first.type(), chosen));
        assertEquals((int) first.histogram().counts()[bin], w.compare.binList.getItems().size());
        PerturbationRecord r = w.compare.binList.getItems().get(0);
        robot.interact(() -> w.openRecord(r));
        settle();
        Perturbation opened = w.explore.shown().get(0);
        assertEquals(r.metrics(), opened.perturbed().metrics(), "reopened live: the same perturbation");
        assertTrue(Arrays.equals(r.baseTokens(), opened.baseTokens()));
    }

    @Test
    void exportsWritePngsOfTheRequestedSizeAndTheData(FxRobot robot) throws Exception {
        load(robot);
        robot.clickOn("#typedPrompt").write(BASE).type(KeyCode.ENTER);
        settle();
        Path l2 = tmp.resolve("l2.png");
        Path window = tmp.resolve("window.png");
        robot.interact(() -> w.exports.exportPng(Figure.L2, l2, 640, 400, 2));
        robot.interact(() -> w.exports.exportPng(Figure.WINDOW, window, 1100, 700, 1));
        BufferedImage image = ImageIO.read(l2.toFile());
        assertEquals(1280, image.getWidth());
        assertEquals(800, image.getHeight());
        BufferedImage whole = ImageIO.read(window.toFile());
        assertEquals(1100, whole.getWidth());
        assertEquals(700, whole.getHeight());
        Path csv = tmp.resolve("curves.csv");
        robot.interact(() -> w.exports.exportData(Figure.L2, "csv", csv));
        List<String> lines = Files.readAllLines(csv);
        assertEquals(102, lines.size(), "a header and 101 steps");
        assertTrue(lines.get(0).startsWith("step,model-generated_1_l2"));
        Path json = tmp.resolve("curves.json");
        robot.interact(() -> w.exports.exportData(Figure.L2, "json", json));
        JsonNode j = Json.MAPPER.readTree(json.toFile());
        assertEquals(101, j.get(0).path("l2").size());
    }

    @Test
    void aBadModelFolderGivesASentenceAndTheWindowStillWorks(FxRobot robot) throws Exception {
        robot.interact(() -> w.modelBar.model.setText(tmp.resolve("no-such-model").toString()));
        robot.interact(w::loadModel);
        settle();
        assertTrue(w.errorText().contains("does not exist"), w.errorText());
        assertTrue(w.errorBanner.isVisible());
        robot.interact(() -> w.modelBar.model.setText(FIXTURE.resolve("model").toString()));
        load(robot);
        assertFalse(w.errorBanner.isVisible());
        assertEquals(101, w.explore.l2.pointsOfFirstCurve());
        // and a prompt the model cannot take
        robot.clickOn("#typedPrompt").eraseText(0).write("1,2,9999").type(KeyCode.ENTER);
        settle();
        assertTrue(w.errorText().contains("outside the model's vocabulary"), w.errorText());
    }

    @Test
    void theDemoLoadsWithTextPromptsAndSaysItIsRandomWeights(FxRobot robot) throws Exception {
        robot.clickOn("#useDemo");
        settle();
        assertEquals("", w.errorText());
        assertTrue(w.stage.getTitle().contains("DEMO"), w.stage.getTitle());
        assertFalse(w.prompt.passages.getItems().isEmpty(), "the sample prompts, since the demo reads GPT-2's vocabulary");
        robot.clickOn("#typedPrompt").write("The committee will publish its findings").type(KeyCode.ENTER);
        settle();
        List<String> texts = w.explore.shown().get(0).tokenTexts();
        assertEquals(List.of("The", " committee", " will", " publish", " its", " findings"), texts);
        assertEquals(101, w.explore.l2.pointsOfFirstCurve());
        // inside the window, not only in its title bar
        javafx.scene.Node banner = robot.lookup("#demoBanner").query();
        assertTrue(banner.isVisible() && ((javafx.scene.control.Label) banner).getText().contains("DEMO"));
        // and in every exported figure
        Path svg = tmp.resolve("demo-l2.svg");
        robot.interact(() -> w.exports.exportFigure(Figure.L2, org.plateau.plot.FigureFormat.SVG, svg, 700, 420, 1));
        assertTrue(Files.readString(svg).contains("DEMO"), "the SVG says DEMO");
        assertTrue(w.exports.figureOf(Figure.L2).footnote().contains(Lab.DEMO_NOTICE));
        Path png = tmp.resolve("demo-latents.png");
        robot.interact(() -> w.selectStep(w.explore.shown().get(0).metric(org.plateau.perturbation.Metric.MS_L2)));
        settle();
        robot.interact(() -> w.exports.exportPng(Figure.WINDOW, png, 1100, 700, 1));
        assertEquals("", w.errorText());
    }

    @Test
    void aReproduceRunOpensAndItsPerturbationsOpenAsRecorded(FxRobot robot) throws Exception {
        Path run = tmp.resolve("run");
        try (Lab lab = Lab.open(FIXTURE.resolve("model"), FIXTURE.resolve("sae"), Processing.TL, Device.cpu())) {
            StudySettings s = new StudySettings(3, 5, Datasets.SAMPLE_PROMPTS, HookPoint.residPre(1), HookPoint.residPost(3),
                    0.5, 100, 20, 0.42, 800, TargetType.studied(), Set.of(Experiment.values()));
            new Reproduction(lab, s, Datasets.open(s.dataset(), lab.model().config(), 10), "test")
                    .run(run, false, new Reproduction.Listener() {}, () -> false);
        }
        // the window's export of a chart is the report's figure of the same data
        StudyResults results = StudyResults.read(run.resolve("results.json"));
        org.plateau.plot.Figure report = new org.plateau.report.StudyFigures(results, "").figure1();
        // without its model loaded: the stored curves
        robot.interact(() -> w.openRun(run));
        settle();
        assertEquals(3 * 21, w.compare.records().size());
        assertEquals(3, w.compare.slice.getItems().size(), "sensitivity, relative and plateau");
        PerturbationRecord r = w.compare.records().get(0);
        robot.interact(() -> w.openRecord(r));
        settle();
        Perturbation p = w.explore.shown().get(0);
        PerturbationRecord firstModelGenerated = results.perturbations().stream()
                .filter(x -> x.experiment().equals("sensitivity") && x.targetType().equals("model-generated")).findFirst()
                .orElseThrow();
        robot.interact(() -> w.openRecord(firstModelGenerated));
        settle();
        org.plateau.plot.Figure exported = w.exports.figureOf(Figure.L2);
        org.plateau.plot.Chart ours = exported.charts().get(0);
        org.plateau.plot.Chart theirs = report.charts().get(0);
        assertEquals(theirs.title(), ours.title());
        assertEquals(theirs.axisLabels(), ours.axisLabels());
        assertTrue(theirs.legend().containsAll(ours.legend()), ours.legend() + " in " + theirs.legend());
        String label = TargetType.MODEL_GENERATED.label();
        double[] a = theirs.lineValues(label);
        double[] b = ours.lineValues(label);
        for (int n = 0; n < a.length; n++) {
            assertEquals(a[n], b[n], 1e-6 * Math.max(1, Math.abs(a[n])), "the same series at step " + n);
        }
        robot.interact(() -> w.openRecord(r));
        settle();
        p = w.explore.shown().get(0);
        assertFalse(p.hasVectors());
        assertEquals(r.metrics(), p.perturbed().metrics());
        // with it: opened live
        load(robot);
        robot.interact(() -> w.openRun(run));
        settle();
        robot.interact(() -> w.openRecord(w.compare.records().get(20)));
        settle();
        PerturbationRecord again = w.compare.records().get(20);
        Perturbation live = w.explore.shown().get(0);
        assertTrue(live.hasVectors());
        for (int n = 0; n <= 100; n++) {
            assertEquals(again.l2()[n], live.curve().l2()[n], 1e-3 * (1 + again.l2()[n]), "step " + n);
        }
    }
}
