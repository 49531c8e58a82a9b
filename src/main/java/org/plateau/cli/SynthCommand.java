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
import org.plateau.sae.Latent;
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
        return "a synthetic activation (structured, structured-no-cos, baseline or random) from a prompt's latents";
    }

    @Override
    public Usage usage() {
        return Inputs.model("").with(Inputs.sae("")).with(Inputs.prompt())
                .value("method", "M", "structured | structured-no-cos | baseline | random")
                .with(Inputs.targetCos())
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
            Synthesis s = switch (method) {
                case "structured" -> synth.structured(base, targetCos);
                case "structured-no-cos" -> synth.structuredNoCos(base);
                case "baseline" -> synth.baseline(base, rng);
                case "random" -> synth.random(base, rng);
                default -> throw new PlateauException("Unknown method '" + method
                        + "': use structured, structured-no-cos, baseline or random.");
            };
            ObjectNode json = Json.MAPPER.createObjectNode();
            json.put("method", method);
            json.putPOJO("tokens", tokens);
            json.put("hook", hook.name());
            if (method.equals("baseline") || method.equals("random")) {
                json.put("seed", seed);
            }
            if (method.equals("structured")) {
                json.put("target_cos", targetCos);
            }
            json.putPOJO("base_active", s.baseActive().stream().map(Latent::index).toList());
            json.putPOJO("chosen", s.chosen());
            ArrayNode latents = json.putArray("latents");
            s.latents().forEach(l -> latents.addArray().add(l.index()).add(l.value()));
            json.putPOJO("activation", s.activation());
            out.println(json.toPrettyString());
        }
    }
}
