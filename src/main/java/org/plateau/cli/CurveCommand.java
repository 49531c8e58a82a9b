package org.plateau.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import org.plateau.PlateauException;
import org.plateau.data.Datasets;
import org.plateau.perturbation.PromptSource;
import org.plateau.experiment.Lab;
import org.plateau.experiment.PerturbationSettings;
import org.plateau.experiment.Perturbed;
import org.plateau.experiment.Perturber;
import org.plateau.io.Json;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import org.plateau.perturbation.Metric;
import org.plateau.perturbation.PromptSource;
import org.plateau.perturbation.Seeds;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.SweepSettings;
import org.plateau.perturbation.Target;
import org.plateau.perturbation.TargetType;

/** {@code curve}: one perturbation sweep from a prompt's activation toward a target, with its metrics. */
final class CurveCommand implements Command {

    @Override
    public String name() {
        return "curve";
    }

    @Override
    public String summary() {
        return "one perturbation sweep: L2 and KL per step, with MS, AUC, NL and AP";
    }

    @Override
    public Usage usage() {
        return Inputs.model("").with(Inputs.sae(", needed by the synthetic and sae-reconstruction targets"))
                .with(Inputs.prompt())
                .value("target", "TYPE", String.join(" | ", java.util.Arrays.stream(TargetType.values())
                        .map(TargetType::id).toList()))
                .value("target-tokens", "IDS", "the target prompt (model-generated, sae-reconstruction); default: drawn")
                .value("target-prompt", "TEXT", "the same as text")
                .value("latent", "K", "ablate-latent: the base latent removed (default its strongest)")
                .value("mode", "absolute|relative", "how the sweep steps (default absolute)")
                .with(Inputs.perturbation())
                .value("seed", "N", "draws of targets (default 0)")
                .with(Inputs.hooks());
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        TargetType type = TargetType.parse(o.require("target"));
        StepMode mode = StepMode.parse(o.get("mode", "absolute"));
        Inputs.checkPerturbation(o);
        long seed = o.getLong("seed", 0);
        if (type.needsSae() && !o.has("sae")) {
            throw new PlateauException("The target type " + type.id() + " needs an SAE (--sae).");
        }
        boolean givenTarget = o.has("target-tokens") || o.has("target-prompt");
        if (givenTarget && !type.fromPrompt()) {
            throw new PlateauException("--target-tokens applies to model-generated and sae-reconstruction targets only.");
        }
        if (o.has("latent") && type != TargetType.ABLATE_LATENT) {
            throw new PlateauException("--latent applies to --target ablate-latent only.");
        }
        int latent = o.getInt("latent", -1);
        if (o.has("latent") && latent < 0) {
            throw new PlateauException("--latent takes a latent index (0 or more), not " + latent + ".");
        }
        try (Lab lab = Inputs.openLab(o, true, err)) {
            Gpt2 model = lab.model();
            int[] tokens = Inputs.prompt(o, model, "tokens", "prompt");
            HookPoint hook = Inputs.hook(o, model);
            PromptSource prompts = Datasets.defaultFor(model.config(), tokens.length);
            PerturbationSettings settings = Inputs.perturbation(o, lab, hook, prompts,
                    type == TargetType.SYNTHETIC_STRUCTURED || type == TargetType.SYNTHETIC_COOCCURRENCE);
            try (Perturber.Base base = new Perturber(lab, prompts, settings).base(tokens)) {
                Target target = type == TargetType.ABLATE_LATENT ? base.ablation(latent)
                        : givenTarget ? base.target(type, Inputs.prompt(o, model, "target-tokens", "target-prompt"))
                        : base.target(type, Seeds.stream(seed, "curve", type.id()));
                Perturbed p = base.sweep(base.toward(target, mode));
                out.println(describe(p, seed, lab.hookMismatch(hook)).toPrettyString());
            }
        }
    }

    /** The perturbation as curve prints it: what it was, its curves, and every metric. */
    static ObjectNode describe(Perturbed p, long seed, String note) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        SweepSettings s = p.sweep();
        json.putPOJO("base_tokens", p.baseTokens());
        json.put("target", p.targetType().id());
        if (p.target().tokens() != null) {
            json.putPOJO("target_tokens", p.target().tokens());
        }
        if (p.target().synthesis() != null) {
            json.putPOJO("chosen", p.target().synthesis().chosen());
        }
        if (p.target().ablated() != null) {
            json.put("latent", p.target().ablated().index());
            json.put("latent_value", p.target().ablated().value());
        }
        json.put("seed", seed);
        json.put("hook", s.hook().name());
        json.put("read", s.read().name());
        json.put("mode", s.mode().id());
        if (s.mode() == StepMode.ABSOLUTE) {
            json.put("step_size", s.stepSize());
        }
        json.put("steps", s.steps());
        json.put("distance", p.distance());
        json.putPOJO("l2", toFloats(p.curve().l2()));
        json.putPOJO("kl", toFloats(p.curve().kl()));
        json.put("ap_threshold", p.apThreshold());
        for (Metric m : Metric.values()) {
            json.put(m.id(), p.metric(m));
        }
        if (note != null) {
            json.put("note", note);
        }
        return json;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
