package org.plateau.cli;

import ai.djl.Device;
import java.util.List;
import org.plateau.PlateauException;
import org.plateau.experiment.Lab;
import org.plateau.model.Gpt2;
import org.plateau.model.Gpt2Tokenizer;
import org.plateau.model.HookPoint;
import org.plateau.model.Processing;
import org.plateau.perturbation.Paper;
import org.plateau.perturbation.PromptSource;
import org.plateau.perturbation.TargetType;
import org.plateau.experiment.LabLoader;
import org.plateau.experiment.PerturbationSettings;
import org.plateau.experiment.TargetCosine;
import org.plateau.experiment.ModelCheck;
import org.plateau.hub.HubClient;
import org.plateau.hub.HubSettings;
import java.io.PrintStream;

/** The options most commands share, and turning them into a loaded lab, prompts and hooks. */
final class Inputs {

    /** --model, --processing, --device */
    static Usage model(String defaultNote) {
        return new Usage()
                .value("model", "M", "a model folder (config.json + model.safetensors), a hub id (gpt2,"
                        + " openai-community/gpt2, org/name@revision) or demo (random weights)" + defaultNote)
                .value("processing", "tl|raw", "tl: TransformerLens' centred weights (default); raw: Hugging Face's")
                .value("device", "cpu|gpu", "default: the GPU when DJL finds one");
    }

    /** --tokens, --prompt */
    static Usage prompt() {
        return new Usage()
                .value("tokens", "1,2,3", "prompt as token ids")
                .value("prompt", "TEXT", "prompt as text (models with GPT-2's vocabulary)");
    }

    /** --hook, --read */
    static Usage hooks() {
        return new Usage()
                .value("hook", "NAME", "perturbed hook (default blocks.1.hook_resid_pre)")
                .value("read", "NAME", "read hook (default the last block's hook_resid_post)");
    }

    /** --step-size, --steps, --ap-threshold, --target-cos, --stats-activations: how perturbations are made. */
    static Usage perturbation() {
        return new Usage()
                .value("step-size", "S", "absolute step length (default " + Paper.STEP_SIZE + ")")
                .value("steps", "N", "steps per sweep (default " + Paper.STEPS + ")")
                .value("ap-threshold", "X", "L2 level that ends the activation plateau (default "
                        + (int) Paper.AP_THRESHOLD + ")")
                .with(targetCos())
                .value("stats-activations", "N", "activations behind random targets' μ and Σ (default "
                        + Paper.STATS_ACTIVATIONS + ")");
    }

    /** --types: which target types a study sweeps. */
    static Usage types() {
        return new Usage().value("types", "LIST", "all (default: the paper's seven and Plateau's co-occurrence"
                + " synthesis) | paper (the paper's seven: a seventh fewer sweeps) | a comma-separated list of target"
                + " types with model-generated among them; the plateau experiment's bases are those listed");
    }

    /** --types, parsed. */
    static List<TargetType> types(Options o) {
        return types(o.get("types", "all"));
    }

    /**
     * A study's target types: {@code all} ({@link TargetType#studied()}), {@code paper}
     * ({@link TargetType#paper()}), or a comma-separated list of ids, in the usual order whatever
     * the list's. Model-generated must be among them: every KS statistic compares a type against it.
     */
    static List<TargetType> types(String list) {
        String spec = list.strip();
        if (spec.equals("all")) {
            return TargetType.studied();
        }
        if (spec.equals("paper")) {
            return TargetType.paper();
        }
        java.util.Set<TargetType> chosen = java.util.EnumSet.noneOf(TargetType.class);
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            TargetType t = TargetType.parse(part.strip());
            if (t == TargetType.ABLATE_LATENT) {
                throw new PlateauException("ablate-latent is not a study type: it answers what one latent does;"
                        + " run it with 'plateau curve --target ablate-latent' or in the window's Ablation tab.");
            }
            chosen.add(t);
        }
        if (chosen.isEmpty()) {
            throw new PlateauException("No target type named in '" + list + "'.");
        }
        if (!chosen.contains(TargetType.MODEL_GENERATED)) {
            throw new PlateauException("--types needs model-generated among its types: every KS statistic compares"
                    + " a type against it.");
        }
        return TargetType.studied().stream().filter(chosen::contains).toList();
    }

    /** --lanes: how many of a base's batches run at a time. */
    static Usage lanes() {
        return new Usage().value("lanes", "N", "run a base's batches N at a time, each on its share of the CPU's"
                + " cores: up to a tenth faster on two cores, for 0.1–0.2 GB more memory (default 1)");
    }

    /** --lanes, checked (1 to the number of cores); applied to the model by {@link #useLanes}. */
    static int lanes(Options o) {
        int lanes = o.getInt("lanes", 1);
        int cores = Runtime.getRuntime().availableProcessors();
        if (lanes < 1 || lanes > cores) {
            throw new PlateauException("--lanes must be between 1 and this machine's " + cores + " cores, not " + lanes + ".");
        }
        return lanes;
    }

    /** Runs the lab's batches {@code lanes} at a time (on the CPU; a GPU keeps one lane, and says so). */
    static void useLanes(Lab lab, int lanes, PrintStream err) {
        lab.model().runSideBySide(lanes);
        if (lanes > 1 && lab.model().lanes().count() == 1) {
            err.println("plateau: --lanes " + lanes + " applies to the CPU; on " + lab.model().device() + " batches run one at a time.");
        }
    }

    static Usage leanMemory() {
        return new Usage().flag("lean-memory", "give the largest tensors back to the system when freed: about 0.15 GB"
                + " lower peak on GPT-2 small, about a tenth slower (glibc's malloc, Linux)");
    }

    /** --lean-memory, applied before anything is loaded; where it cannot act, says so and goes on. */
    static void useLeanMemory(Options o, PrintStream err) {
        if (o.has("lean-memory")) {
            String why = org.plateau.model.GlibcMalloc.useLeanMemory();
            if (why != null) {
                err.println("plateau: --lean-memory has no effect here: " + why + ".");
            }
        }
    }

    /** --figure-format: how a study's figures are written. */
    static Usage figureFormats() {
        return new Usage().value("figure-format", "LIST", "png, svg, pdf or several (png,svg,pdf); default png");
    }

    static java.util.List<org.plateau.plot.FigureFormat> figureFormats(Options o) {
        return org.plateau.plot.FigureFormat.parseList(o.get("figure-format", "png"));
    }

    static Usage targetCos() {
        return new Usage().value("target-cos", "C", "c* of structured synthesis (default " + Paper.TARGET_COS
                + "; 'measure': on this model)");
    }

    /**
     * The perturbation options as settings. Numbers are checked before anything loads
     * ({@link #checkPerturbation}); c* is measured on the model when {@code --target-cos measure}
     * asks and {@code needsCos} says it is used.
     */
    static PerturbationSettings perturbation(Options o, Lab lab, HookPoint hook, PromptSource prompts, boolean needsCos) {
        double targetCos = needsCos ? TargetCosine.parse(o.get("target-cos", null), lab, hook, prompts) : Paper.TARGET_COS;
        return new PerturbationSettings(hook, read(o, lab.model()), o.getDouble("step-size", Paper.STEP_SIZE),
                o.getInt("steps", Paper.STEPS), o.getDouble("ap-threshold", Paper.AP_THRESHOLD), targetCos,
                o.getInt("stats-activations", Paper.STATS_ACTIVATIONS));
    }

    /** Refuses bad perturbation numbers before a model is loaded. */
    static void checkPerturbation(Options o) {
        o.getDouble("step-size", Paper.STEP_SIZE);
        o.getInt("steps", Paper.STEPS);
        double ap = o.getDouble("ap-threshold", Paper.AP_THRESHOLD);
        if (!(ap > 0)) {
            throw new PlateauException("--ap-threshold must be positive, not " + ap + ".");
        }
        Lab.checkStatsActivations(o.getInt("stats-activations", Paper.STATS_ACTIVATIONS));
    }

    static Usage sae(String what) {
        return new Usage().value("sae", "S", "SAE folder (SAELens format), hub id or shorthand"
                + " (gpt2-small-res-jb/blocks.1.hook_resid_pre)" + what);
    }

    private Inputs() {}

    static Lab openLab(Options o, boolean withSae, PrintStream err) {
        return openLab(o.require("model"), withSae && o.has("sae") ? o.get("sae", null) : null, o, err);
    }

    /**
     * Loads what {@code model} and {@code sae} name — folders, hub ids, or "demo" — downloading
     * into the Hugging Face cache what is missing, with a progress line on {@code err}. A model
     * from the hub is checked once against its published output (remembered after); the outcome
     * goes to {@code err} when new, and every time while it is a failure.
     */
    static Lab openLab(String model, String sae, Options o, PrintStream err) {
        ProgressLine line = new ProgressLine(err);
        Lab lab = LabLoader.open(new LabLoader.Request(model, sae, Processing.parse(o.get("processing", "tl")), device(o)),
                new HubClient(HubSettings.fromEnvironment()),
                line.downloads());
        if (LabLoader.checksAutomatically(lab)) {
            try {
                reportCheck(lab, hook(o, lab.model()), err);
            } catch (RuntimeException e) {
                lab.close();
                throw e;
            }
        }
        return lab;
    }

    /** Runs (or recalls) the model check and says what it found on {@code err}. */
    static ModelCheck reportCheck(Lab lab, HookPoint hook, PrintStream err) {
        boolean known = LabLoader.remembered(lab, hook) != null;
        if (!known) {
            err.println("plateau: checking " + lab.modelSource() + (lab.sae() == null ? "" : " and its SAE") + " (once)…");
        }
        ModelCheck c = LabLoader.check(lab, hook);
        if (!known || c.warns()) {
            err.println("plateau: " + (c.warns() ? "WARNING: " : "check: ") + c.line());
        }
        return c;
    }

    static Device device(Options o) {
        String d = o.get("device", null);
        if (d == null) {
            return Gpt2.defaultDevice();
        }
        return switch (d) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() == 0) {
                    throw new PlateauException("No GPU is visible to PyTorch; see the README for the CUDA build.");
                }
                yield Device.gpu();
            }
            default -> throw new PlateauException("Unknown device '" + d + "': use cpu or gpu.");
        };
    }

    /** The prompt from --tokens or --prompt (exactly one of them). */
    static int[] prompt(Options o, Gpt2 model, String tokensOption, String promptOption) {
        if (o.has(tokensOption) == o.has(promptOption)) {
            throw new PlateauException("Give the prompt either as --" + tokensOption + " or as --" + promptOption + ".");
        }
        int[] tokens;
        if (o.has(tokensOption)) {
            tokens = o.getTokens(tokensOption);
        } else {
            if (!model.config().hasGpt2Vocabulary()) {
                throw new PlateauException("The model's vocabulary (" + model.config().vocabSize()
                        + " tokens) is not GPT-2's, so text cannot be tokenised for it; give --" + tokensOption + ".");
            }
            tokens = Gpt2Tokenizer.encode(o.require(promptOption));
        }
        model.checkTokens(tokens);
        return tokens;
    }

    static HookPoint hook(Options o, Gpt2 model) {
        int n = model.config().nLayer();
        return o.has("hook") ? HookPoint.parse(o.get("hook", null), n) : HookPoint.defaultPerturbed(n);
    }

    static HookPoint read(Options o, Gpt2 model) {
        int n = model.config().nLayer();
        return o.has("read") ? HookPoint.parse(o.get("read", null), n) : HookPoint.defaultRead(n);
    }

    static List<Integer> list(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
