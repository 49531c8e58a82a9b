package org.plateau.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;
import org.plateau.experiment.Lab;
import org.plateau.experiment.TargetCosine;
import org.plateau.io.Json;
import org.plateau.model.HookPoint;
import org.plateau.perturbation.Seeds;
import java.nio.file.Path;
import java.util.List;
import org.plateau.data.Datasets;
import org.plateau.sae.Latent;
import org.plateau.sae.LatentCooccurrence;
import org.plateau.sae.SyntheticActivations;
import org.plateau.sae.SyntheticActivations.Synthesis;

/** {@code synth}: a synthetic activation built from the SAE latents of a prompt's activation. */
final class SynthCommand implements Command {

    @Override
    public String name() {
        return "synth";
    }

    @Override
    public String summary() {
        return "a synthetic activation (structured, structured-no-cos, baseline, random or cooccurrence) from a prompt's latents";
    }

    @Override
    public Usage usage() {
        return Inputs.model("").with(Inputs.sae("")).with(Inputs.prompt())
                .value("method", "M", "structured | structured-no-cos | baseline | random | cooccurrence (Plateau's)")
                .with(Inputs.targetCos())
                .value("stats-prompts", "FILE", "cooccurrence: a .jsonl of input_ids rows, all used in order, whose"
                        + " activations give the firing statistics (default: the random-target distribution's"
                        + " --stats-activations prompts)")
                .value("stats-activations", "N", "cooccurrence without --stats-prompts: how many (default "
                        + org.plateau.perturbation.Paper.STATS_ACTIVATIONS + ")")
                .value("dataset", "D", "cooccurrence without --stats-prompts: where statistics prompts are drawn"
                        + " (default as reproduce)")
                .value("seed", "N", "for baseline and random (default 0)")
                .value("hook", "NAME", "where to read the activation (default blocks.1.hook_resid_pre)");
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        o.require("sae");
        String method = o.require("method");
        long seed = o.getLong("seed", 0);
        try (Lab lab = Inputs.openLab(o, true, err)) {
            int[] tokens = Inputs.prompt(o, lab.model(), "tokens", "prompt");
            HookPoint hook = Inputs.hook(o, lab.model());
            float[] base = lab.model().activation(tokens, hook);
            double targetCos = TargetCosine.parse(o.get("target-cos", null), lab, hook,
                    org.plateau.data.Datasets.defaultFor(lab.model().config(), tokens.length));
            SyntheticActivations synth = new SyntheticActivations(lab.sae());
            RandomGenerator rng = Seeds.stream(seed, "synth", method);
            if (o.has("stats-prompts") && !method.equals("cooccurrence")) {
                throw new PlateauException("--stats-prompts applies to --method cooccurrence only.");
            }
            Synthesis s = switch (method) {
                case "structured" -> synth.structured(base, targetCos);
                case "structured-no-cos" -> synth.structuredNoCos(base);
                case "baseline" -> synth.baseline(base, rng);
                case "random" -> synth.random(base, rng);
                case "cooccurrence" -> synth.cooccurrence(base, targetCos, firings(o, lab, hook, err));
                default -> throw new PlateauException("Unknown method '" + method
                        + "': use structured, structured-no-cos, baseline, random or cooccurrence.");
            };
            ObjectNode json = Json.MAPPER.createObjectNode();
            json.put("method", method);
            json.putPOJO("tokens", tokens);
            json.put("hook", hook.name());
            if (method.equals("baseline") || method.equals("random")) {
                json.put("seed", seed);
            }
            if (method.equals("structured") || method.equals("cooccurrence")) {
                json.put("target_cos", targetCos);
            }
            if (method.equals("cooccurrence")) {
                json.putPOJO("pool_sizes", s.pools());
            }
            json.putPOJO("base_active", s.baseActive().stream().map(Latent::index).toList());
            json.putPOJO("chosen", s.chosen());
            ArrayNode latents = json.putArray("latents");
            s.latents().forEach(l -> latents.addArray().add(l.index()).add(l.value()));
            json.putPOJO("activation", s.activation());
            out.println(json.toPrettyString());
        }
    }

    /** The firing statistics: of the given prompts in order, or of the random-target distribution's activations. */
    private static LatentCooccurrence firings(Options o, Lab lab, HookPoint hook, PrintStream err) {
        ProgressLine line = new ProgressLine(err);
        if (o.has("stats-prompts")) {
            List<int[]> rows = Datasets.promptRows(Path.of(o.get("stats-prompts", "")), lab.model().config());
            return lab.firingsOf(hook, rows, done -> line.update("latent firing statistics", done, rows.size(), 0,
                    "activations"));
        }
        int count = o.getInt("stats-activations", org.plateau.perturbation.Paper.STATS_ACTIVATIONS);
        Datasets.Dataset dataset = Datasets.open(o.get("dataset", Datasets.AUTO), lab.model().config(),
                org.plateau.perturbation.Paper.PROMPT_LENGTH);
        return lab.firings(hook, dataset.prompts(), count, done -> line.update("latent firing statistics", done,
                Lab.statisticsPromptCount(dataset.prompts(), count), 0, "activations"));
    }
}
