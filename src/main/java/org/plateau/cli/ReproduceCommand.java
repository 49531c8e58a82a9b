package org.plateau.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.plateau.perturbation.Paper;
import org.plateau.data.Datasets;
import org.plateau.experiment.Experiment;
import org.plateau.experiment.JavaHeap;
import org.plateau.experiment.Lab;
import org.plateau.experiment.Reproduction;
import org.plateau.experiment.RunFolder;
import org.plateau.report.RunReport;
import org.plateau.experiment.StudyResults;
import org.plateau.experiment.StudySettings;
import org.plateau.hub.ModelSources;
import org.plateau.io.Json;
import org.plateau.perturbation.TargetType;

/** {@code reproduce}: the paper's whole study, with its tables and figures beside the paper's. */
final class ReproduceCommand implements Command {

    @Override
    public String name() {
        return "reproduce";
    }

    @Override
    public String summary() {
        return "the paper's study: results.json, report.md (tables beside the paper's) and figures";
    }

    @Override
    public Usage usage() {
        return Inputs.model(" (default gpt2, the paper's)")
                .value("sae", "S", "SAE folder or hub id (default with the default model:"
                        + " gpt2-small-res-jb/blocks.1.hook_resid_pre, the paper's)")
                .value("out", "DIR", "output folder (required): new, empty, or an earlier run of Plateau's")
                .value("dataset", "D", "auto (default: the paper's OpenWebText if it can be had, else sample-prompts)"
                        + " | sample-prompts | random-tokens | hf:org/name | FILE.txt | FILE.jsonl | FILE.bin")
                .value("n", "N", "perturbations per type (default " + Paper.N + ")")
                .value("seed", "N", "root of every random draw (default 0)")
                .value("experiments", "LIST", "sensitivity,relative,plateau,latents (default all)")
                .with(Inputs.types())
                .with(Inputs.perturbation())
                .with(Inputs.figureFormats())
                .with(Inputs.lanes())
                .with(Inputs.leanMemory())
                .flag("resume", "continue an interrupted run in --out")
                .flag("force", "write into --out although it holds other files (an earlier run there starts over)")
                .with(Inputs.hooks());
    }

    /** Loads the lab; when the paper's model cannot be had, says how to try the demo instead. */
    static Lab openWithDemoHint(String model, String sae, Options o, PrintStream err) {
        try {
            return Inputs.openLab(model, sae, o, err);
        } catch (org.plateau.PlateauException e) {
            if (!o.has("model")) {
                throw new org.plateau.PlateauException(e.getMessage().replaceAll("\\.$", "")
                        + ". To try Plateau without GPT-2, run with --model demo --sae demo (random weights, not results).");
            }
            throw e;
        }
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        // every setting is checked before anything is loaded or written
        String outName = o.require("out");
        if (outName.isBlank()) {
            throw new org.plateau.PlateauException("--out needs a folder name.");
        }
        Path outDir = Path.of(outName);
        RunFolder.check(outDir, o.has("resume"), o.has("force"));
        int n = o.getInt("n", Paper.N);
        Inputs.checkPerturbation(o);
        var formats = Inputs.figureFormats(o);
        Set<Experiment> experiments = Experiment.parseList(o.get("experiments", "sensitivity,relative,plateau,latents"));
        List<TargetType> types = Inputs.types(o);
        if (n < 1) {
            throw new org.plateau.PlateauException("--n must be at least 1, not " + n + ".");
        }
        // the paper's setting unless told otherwise; an explicitly chosen model gets no default SAE
        String model = o.get("model", ModelSources.DEFAULT_MODEL);
        String sae = o.has("model") ? o.get("sae", null) : o.get("sae", ModelSources.DEFAULT_SAE);
        int lanes = Inputs.lanes(o);
        Inputs.useLeanMemory(o, err);
        try (StudyProgress.InterruptHint hint = StudyProgress.hintOnInterrupt(err, "reproduce", outDir)) {
            StudyResults results = study(model, sae, lanes, n, experiments, types, outDir, o, err);
            // the report needs only the results: it is drawn once the weights' mapped pages are given back
            JavaHeap.giveBack();
            RunReport.write(results, outDir, formats);
            hint.finished();
            var summary = Json.MAPPER.createObjectNode();
            summary.put("out", outDir.toAbsolutePath().normalize().toString());
            summary.put("perturbations", results.perturbations().size());
            summary.put("latent_records", results.latents().size());
            summary.putPOJO("files", List.of(StudyResults.FILE_NAME, "report.md", "figures/"));
            summary.set("summary", results.summaryJson());
            out.println(summary.toPrettyString());
        }
    }

    /** The study's results, its model and SAE closed when it returns. */
    private static StudyResults study(String model, String sae, int lanes, int n, Set<Experiment> experiments,
            List<TargetType> types, Path outDir, Options o, PrintStream err) {
        try (Lab lab = openWithDemoHint(model, sae, o, err)) {
            Inputs.useLanes(lab, lanes, err);
            String datasetName = o.get("dataset", Datasets.AUTO);
            Datasets.Dataset dataset = Datasets.open(datasetName, lab.model().config(), Paper.PROMPT_LENGTH);
            var hook = Inputs.hook(o, lab.model());
            // the settings name the dataset actually used, so that a resumed or reopened run finds the same prompts
            StudySettings settings = new StudySettings(n, o.getLong("seed", 0), dataset.spec(),
                    Inputs.perturbation(o, lab, hook, dataset.prompts(), true), types,
                    experiments);
            return new Reproduction(lab, settings, dataset, Cli.version()).run(outDir,
                    o.has("resume"), o.has("force"), new StudyProgress(err, dataset), () -> false);
        }
    }
}
