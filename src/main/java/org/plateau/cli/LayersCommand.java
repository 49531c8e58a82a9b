package org.plateau.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.plateau.PlateauException;
import org.plateau.data.Datasets;
import org.plateau.experiment.Experiment;
import org.plateau.experiment.JavaHeap;
import org.plateau.experiment.Lab;
import org.plateau.experiment.LayerStudy;
import org.plateau.experiment.LayerSummary;
import org.plateau.experiment.PerturbationSettings;
import org.plateau.experiment.RunFolder;
import org.plateau.experiment.StudySettings;
import org.plateau.hub.HubClient;
import org.plateau.hub.HubSettings;
import org.plateau.hub.ModelSources;
import org.plateau.io.Json;
import org.plateau.model.HookPoint;
import org.plateau.perturbation.Paper;
import org.plateau.perturbation.TargetType;
import org.plateau.report.LayerReport;

/** {@code layers}: the study at every layer, each layer's residual stream perturbed with its own SAE. */
final class LayersCommand implements Command {

    static final String DEFAULT_RELEASE = "gpt2-small-res-jb";
    static final int DEFAULT_N = 200;

    @Override
    public String name() {
        return "layers";
    }

    @Override
    public String summary() {
        return "the study at every layer: a reproduce run per layer with its SAE, and layers.md across them";
    }

    @Override
    public Usage usage() {
        return Inputs.model(" (default gpt2)")
                .value("layers", "LIST", "blocks to study: 0-11, 1,3,5 or all (default all)")
                .value("release", "R", "the SAEs: a SAELens release (default " + DEFAULT_RELEASE + ") or a folder of"
                        + " SAE folders named by hook (blocks.L.hook_resid_pre/)")
                .value("out", "DIR", "output folder (required): new, empty, or an earlier layer study")
                .value("dataset", "D", "as reproduce (default auto)")
                .value("n", "N", "perturbations per type and layer (default " + DEFAULT_N + ")")
                .value("seed", "N", "root of every random draw (default 0)")
                .value("experiments", "LIST", "sensitivity,relative,plateau,latents (default sensitivity,relative,plateau)")
                .with(Inputs.types())
                .with(Inputs.perturbation())
                .with(Inputs.figureFormats())
                .with(Inputs.lanes())
                .with(Inputs.leanMemory())
                .value("read", "NAME", "read hook (default the last block's hook_resid_post)")
                .flag("resume", "continue an interrupted study in --out")
                .flag("force", "write into --out although it holds other files (an earlier study there starts over)");
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        Path outDir = Path.of(o.require("out"));
        RunFolder.check(outDir, o.has("resume"), o.has("force"));
        int n = o.getInt("n", DEFAULT_N);
        if (n < 1) {
            throw new PlateauException("--n must be at least 1, not " + n + ".");
        }
        Inputs.checkPerturbation(o);
        var formats = Inputs.figureFormats(o);
        Set<Experiment> experiments = Experiment.parseList(o.get("experiments", "sensitivity,relative,plateau"));
        List<TargetType> types = Inputs.types(o);
        String release = o.get("release", DEFAULT_RELEASE);
        boolean measure = "measure".equals(o.get("target-cos", "").strip());
        String model = o.get("model", ModelSources.DEFAULT_MODEL);
        HubClient hub = new HubClient(HubSettings.fromEnvironment());
        int lanes = Inputs.lanes(o);
        Inputs.useLeanMemory(o, err);
        try (StudyProgress.InterruptHint hint = StudyProgress.hintOnInterrupt(err, "layers", outDir)) {
            List<LayerStudy.LayerRun> runs = study(model, release, measure, lanes, n, experiments, types, hub, outDir, o, err);
            // as in reproduce: the report needs only the results, so it is drawn once the weights' pages are given back
            JavaHeap.giveBack();
            LayerReport.write(runs, release, outDir, formats);
            hint.finished();
            var summary = Json.MAPPER.createObjectNode();
            summary.put("out", outDir.toAbsolutePath().normalize().toString());
            summary.put("layers", runs.size());
            summary.putPOJO("files", List.of(LayerStudy.MANIFEST, LayerSummary.FILE_NAME, "figures/",
                    runs.get(0).layer().folderName() + "/ …"));
            out.println(summary.toPrettyString());
        }
    }

    /** Every layer's run, the model and its SAEs closed when it returns. */
    private static List<LayerStudy.LayerRun> study(String model, String release, boolean measure, int lanes, int n,
            Set<Experiment> experiments, List<TargetType> types, HubClient hub, Path outDir, Options o, PrintStream err) {
        try (Lab lab = Inputs.openLab(model, null, o, err)) {
            Inputs.useLanes(lab, lanes, err);
            int nLayer = lab.model().config().nLayer();
            List<LayerStudy.LayerSae> layers = LayerStudy.saes(release,
                    LayerStudy.parseLayers(o.get("layers", "all"), nLayer), nLayer);
            Datasets.Dataset dataset = Datasets.open(o.get("dataset", Datasets.AUTO), lab.model().config(),
                    Paper.PROMPT_LENGTH);
            HookPoint first = layers.get(0).hook();
            // c* is the same number at every layer unless it is measured at each
            PerturbationSettings p = Inputs.perturbation(o, lab, first, dataset.prompts(), !measure);
            StudySettings template = new StudySettings(n, o.getLong("seed", 0), dataset.spec(), p,
                    types, experiments);
            StudyProgress progress = new StudyProgress(err, dataset);
            return LayerStudy.run(lab, hub, progress.line().downloads(), release, layers, template, measure, dataset,
                    Cli.version(), outDir, o.has("resume"), o.has("force"), progress, () -> false);
        }
    }

}
