package org.plateau.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Set;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;
import org.plateau.data.Datasets;
import org.plateau.perturbation.PromptSource;
import org.plateau.experiment.Lab;
import org.plateau.experiment.TargetCosine;
import org.plateau.io.Json;
import org.plateau.model.Gpt2;
import org.plateau.model.Gpt2Prefix;
import org.plateau.model.HookPoint;
import org.plateau.perturbation.Curve;
import org.plateau.perturbation.Seeds;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.SweepSettings;
import org.plateau.perturbation.Target;
import org.plateau.perturbation.TargetType;
import org.plateau.perturbation.Targets;
import org.plateau.sae.SyntheticActivations;

/** {@code curve}: one perturbation sweep from a prompt's activation toward a target, with its metrics. */
final class CurveCommand implements Command {

    static final double DEFAULT_AP_THRESHOLD = 20;

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
                .value("mode", "absolute|relative", "how the sweep steps (default absolute)")
                .value("step-size", "S", "absolute step length (default 0.5)")
                .value("steps", "N", "steps per sweep (default 100)")
                .value("ap-threshold", "X", "L2 level that ends the activation plateau (default 20)")
                .value("target-cos", "C", "c* of structured synthesis (default 0.42; 'measure': on this model)")
                .value("stats-activations", "N", "activations behind random targets' μ and Σ (default 32000)")
                .value("seed", "N", "draws of targets (default 0)")
                .with(Inputs.hooks());
    }

    @Override
    public void run(Options o, PrintStream out, PrintStream err) {
        TargetType type = TargetType.parse(o.require("target"));
        StepMode mode = StepMode.parse(o.get("mode", "absolute"));
        double stepSize = o.getDouble("step-size", SweepSettings.DEFAULT_STEP_SIZE);
        int steps = o.getInt("steps", SweepSettings.DEFAULT_STEPS);
        double apThreshold = o.getDouble("ap-threshold", DEFAULT_AP_THRESHOLD);
        int statsCount = o.getInt("stats-activations", Lab.DEFAULT_STATS_ACTIVATIONS);
        Lab.checkStatsActivations(statsCount);
        long seed = o.getLong("seed", 0);
        if (type.needsSae() && !o.has("sae")) {
            throw new PlateauException("The target type " + type.id() + " needs an SAE (--sae).");
        }
        boolean givenTarget = o.has("target-tokens") || o.has("target-prompt");
        if (givenTarget && type != TargetType.MODEL_GENERATED && type != TargetType.SAE_RECONSTRUCTION) {
            throw new PlateauException("--target-tokens applies to model-generated and sae-reconstruction targets only.");
        }
        try (Lab lab = Inputs.openLab(o, true, err)) {
            Gpt2 model = lab.model();
            int[] tokens = Inputs.prompt(o, model, "tokens", "prompt");
            HookPoint hook = Inputs.hook(o, model);
            SweepSettings settings = new SweepSettings(hook, Inputs.read(o, model), mode, stepSize, steps);
            PromptSource prompts = Datasets.defaultFor(model.config(), tokens.length);
            double targetCos = type == TargetType.SYNTHETIC_STRUCTURED
                    ? TargetCosine.parse(o.get("target-cos", null), lab, hook, prompts)
                    : SyntheticActivations.DEFAULT_TARGET_COS;
            Targets targets = lab.targets(hook, prompts, statsCount, targetCos);
            var sweep = lab.sweep();
            try (Gpt2Prefix prefix = sweep.prepare(tokens, hook)) {
                float[] base = prefix.activation();
                Target target;
                if (givenTarget) {
                    target = targets.fromPrompt(type, Inputs.prompt(o, model, "target-tokens", "target-prompt"));
                } else {
                    RandomGenerator rng = Seeds.stream(seed, "curve", type.id());
                    target = targets.make(type, base, rng);
                }
                Curve c = sweep.run(prefix, target.activation(), settings);
                out.println(describe(tokens, target, settings, seed, apThreshold, base, c, lab.hookMismatch(hook))
                        .toPrettyString());
            }
        }
    }

    static ObjectNode describe(int[] tokens, Target target, SweepSettings s, long seed, double apThreshold,
            float[] base, Curve c, String note) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.putPOJO("base_tokens", tokens);
        json.put("target", target.type().id());
        if (target.tokens() != null) {
            json.putPOJO("target_tokens", target.tokens());
        }
        if (target.synthesis() != null) {
            json.putPOJO("chosen", target.synthesis().chosen());
        }
        json.put("seed", seed);
        json.put("hook", s.hook().name());
        json.put("read", s.read().name());
        json.put("mode", s.mode().id());
        if (s.mode() == StepMode.ABSOLUTE) {
            json.put("step_size", s.stepSize());
        }
        json.put("steps", s.steps());
        json.put("distance", Targets.distance(base, target.activation()));
        json.putPOJO("l2", toFloats(c.l2()));
        json.putPOJO("kl", toFloats(c.kl()));
        json.put("ms_l2", c.msL2());
        json.put("ms_kl", c.msKl());
        json.put("auc_l2", c.aucL2());
        json.put("nl_l2", c.nlL2());
        json.put("ap_threshold", apThreshold);
        json.put("ap_l2", c.apL2(apThreshold));
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
