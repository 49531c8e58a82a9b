package org.plateau.experiment;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;
import org.plateau.perturbation.PromptSource;
import org.plateau.model.Gpt2;
import org.plateau.model.Gpt2Prefix;
import org.plateau.perturbation.ActivationDistribution;
import org.plateau.perturbation.Curve;
import org.plateau.perturbation.PerturbationSweep;
import org.plateau.perturbation.Seeds;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.Target;
import org.plateau.perturbation.TargetType;
import org.plateau.perturbation.Targets;
import org.plateau.sae.LatentProperties;
import org.plateau.sae.Latent;
import org.plateau.sae.Sae;
import org.plateau.sae.SyntheticActivations;

/**
 * Runs a study one base at a time. Everything of base i — its prompt, targets, plateau bases —
 * is drawn from random streams named after i, so any index can be computed alone, in any order,
 * with the same result: what makes an interrupted run resumable.
 *
 * <p>For each base the prompt is run once, and all its sweeps (both step modes, every target,
 * every plateau base) go through the remaining blocks in shared batches.
 */
public final class StudyRunner {

    /** Everything computed for one base. */
    public record IndexResult(int index, List<PerturbationRecord> perturbations, List<LatentRecord> latents) {}

    /** Rows per batched forward pass: large enough for efficient products, small enough for memory. */
    public static final int MAX_BATCH_ROWS = 2048;

    /** The plateau experiment's base types (§4.4); its target is always random. */
    static final List<TargetType> PLATEAU_BASES = List.of(TargetType.MODEL_GENERATED,
            TargetType.SYNTHETIC_BASELINE, TargetType.SYNTHETIC_STRUCTURED, TargetType.RANDOM);

    private final Lab lab;
    private final StudySettings s;
    private final PromptSource prompts;
    private final Targets targets;
    private final PerturbationSweep sweep;
    private final SyntheticActivations synth;

    public StudyRunner(Lab lab, StudySettings settings, PromptSource prompts) {
        int context = lab.model().config().nCtx();
        if (context < Lab.PROMPT_LENGTH) {
            throw new PlateauException("The model's context holds " + context + " tokens, fewer than the "
                    + Lab.PROMPT_LENGTH + " of the study's prompts.");
        }
        if (prompts.size() < 2) {
            throw new PlateauException("The dataset gives only " + prompts.size() + " prompt; a study needs at least two"
                    + " (a model-generated target comes from another prompt than its base).");
        }
        this.lab = lab;
        this.s = settings;
        this.prompts = prompts;
        this.targets = lab.targets(settings.hook(), prompts, settings.statsActivations(), settings.targetCos());
        this.sweep = lab.sweep();
        this.synth = lab.sae() == null ? null : new SyntheticActivations(lab.sae());
    }

    /** The sensitivity target types that can run: those needing an SAE only when one is loaded. */
    public List<TargetType> targetTypes() {
        return s.targetTypes().stream().filter(t -> !t.needsSae() || lab.sae() != null).toList();
    }

    /** The plateau base types that can run. */
    public List<TargetType> plateauBases() {
        return PLATEAU_BASES.stream().filter(t -> lab.sae() != null || !isSynthetic(t)).toList();
    }

    private static boolean isSynthetic(TargetType t) {
        return t == TargetType.SYNTHETIC_BASELINE || t == TargetType.SYNTHETIC_STRUCTURED;
    }

    /** Whether the random-target distribution is needed (it costs thousands of forward passes). */
    public boolean needsDistribution() {
        return s.runs(Experiment.PLATEAU)
                || (targetTypes().contains(TargetType.RANDOM)
                        && (s.runs(Experiment.SENSITIVITY) || s.runs(Experiment.RELATIVE) || s.runs(Experiment.LATENTS)));
    }

    /** Fits (or loads) the random-target distribution up front, reporting activations computed. */
    public ActivationDistribution distribution(LongConsumer progress) {
        return lab.distribution(s.hook(), prompts, s.statsActivations(), progress);
    }

    /** One pending sweep and what it is. */
    private record Pending(Experiment experiment, StepMode mode, TargetType baseType, TargetType targetType,
            Target target, float[] base, String targetStream) {}

    public IndexResult run(int i) {
        int[] tokens = prompts.draw(Seeds.stream(s.seed(), "base", i));
        try (Gpt2Prefix prefix = sweep.prepare(tokens, s.hook())) {
            float[] a = prefix.activation();
            Map<TargetType, Target> made = new EnumMap<>(TargetType.class);
            if (s.runs(Experiment.SENSITIVITY) || s.runs(Experiment.RELATIVE) || s.runs(Experiment.LATENTS)) {
                for (TargetType t : targetTypes()) {
                    made.put(t, targets.make(t, a, Seeds.stream(s.seed(), "target", i, t.id())));
                }
            }
            List<Pending> pending = new ArrayList<>();
            for (Experiment e : List.of(Experiment.SENSITIVITY, Experiment.RELATIVE)) {
                if (s.runs(e)) {
                    StepMode mode = e == Experiment.SENSITIVITY ? StepMode.ABSOLUTE : StepMode.RELATIVE;
                    for (TargetType t : targetTypes()) {
                        pending.add(new Pending(e, mode, TargetType.MODEL_GENERATED, t, made.get(t), a,
                                "target/" + i + "/" + t.id()));
                    }
                }
            }
            if (s.runs(Experiment.PLATEAU)) {
                ActivationDistribution gaussian = distribution(null);
                Target randomTarget = new Target(TargetType.RANDOM,
                        gaussian.sample(Seeds.stream(s.seed(), "plateau-target", i)), null, null);
                for (TargetType b : plateauBases()) {
                    pending.add(new Pending(Experiment.PLATEAU, StepMode.ABSOLUTE, b, TargetType.RANDOM, randomTarget,
                            plateauBase(b, a, i, gaussian), "plateau-target/" + i));
                }
            }
            List<PerturbationSweep.Job> jobs = pending.stream()
                    .map(p -> new PerturbationSweep.Job(p.base(), p.target().activation(), s.sweep(p.mode())))
                    .toList();
            List<Curve> curves = sweep.runAll(prefix, jobs, MAX_BATCH_ROWS);
            List<PerturbationRecord> records = new ArrayList<>();
            for (int k = 0; k < pending.size(); k++) {
                records.add(record(pending.get(k), curves.get(k), i, tokens));
            }
            List<LatentRecord> latents = s.runs(Experiment.LATENTS) && lab.sae() != null
                    ? latentRecords(i, a, made) : List.of();
            return new IndexResult(i, records, latents);
        }
    }

    /** A recorded perturbation's base and target vectors, derived again from their random streams. */
    public record Recreated(int[] tokens, float[] base, Target target, PerturbationSweep.Job job) {}

    /**
     * Derives the base and target of a recorded perturbation again, exactly as {@link #run} drew
     * them, so that it can be reopened and examined (needs the model and SAE of the run).
     */
    public Recreated recreate(PerturbationRecord r) {
        int i = r.index();
        int[] tokens = r.baseTokens();
        float[] a = lab.model().activation(tokens, s.hook());
        StepMode mode = StepMode.parse(r.mode());
        if (r.experiment().equals(Experiment.PLATEAU.id())) {
            ActivationDistribution gaussian = distribution(null);
            Target t = new Target(TargetType.RANDOM, gaussian.sample(Seeds.stream(s.seed(), "plateau-target", i)), null, null);
            float[] base = plateauBase(TargetType.parse(r.baseType()), a, i, gaussian);
            return new Recreated(tokens, base, t, new PerturbationSweep.Job(base, t.activation(), s.sweep(mode)));
        }
        TargetType type = TargetType.parse(r.targetType());
        Target t = targets.make(type, a, Seeds.stream(s.seed(), "target", i, type.id()));
        return new Recreated(tokens, a, t, new PerturbationSweep.Job(a, t.activation(), s.sweep(mode)));
    }

    /** A plateau base: the real activation, or one made from it, or a Gaussian draw. */
    private float[] plateauBase(TargetType type, float[] a, int i, ActivationDistribution gaussian) {
        RandomGenerator rng = Seeds.stream(s.seed(), "plateau-base", i, type.id());
        return switch (type) {
            case MODEL_GENERATED -> a;
            case SYNTHETIC_BASELINE -> synth.baseline(a, rng).activation();
            case SYNTHETIC_STRUCTURED -> synth.structured(a, s.targetCos()).activation();
            case RANDOM -> gaussian.sample(rng);
            default -> throw new IllegalArgumentException("not a plateau base: " + type);
        };
    }

    private PerturbationRecord record(Pending p, Curve c, int i, int[] tokens) {
        List<Integer> chosen = p.target().synthesis() == null ? null : p.target().synthesis().chosen();
        return new PerturbationRecord(p.experiment().id(), p.mode().id(), i, p.baseType().id(), p.targetType().id(),
                tokens, p.target().tokens(), p.targetStream(), chosen, Targets.distance(p.base(), p.target().activation()),
                toFloats(c.l2()), toFloats(c.kl()), c.msL2(), c.msKl(), c.aucL2(), c.nlL2(), c.apL2(s.apThreshold()));
    }

    /** Appendix E for every target of base i, including the model-generated one (a real activation). */
    private List<LatentRecord> latentRecords(int i, float[] a, Map<TargetType, Target> made) {
        Sae sae = lab.sae();
        List<LatentRecord> out = new ArrayList<>();
        for (Map.Entry<TargetType, Target> e : made.entrySet()) {
            float[] x = e.getValue().activation();
            List<Latent> active = sae.activeLatents(x);
            LatentProperties p = LatentProperties.of(sae, active);
            double[] shares = java.util.Arrays.copyOf(p.shares(), Math.min(p.shares().length, LatentRecord.MAX_SHARES));
            out.add(new LatentRecord(i, e.getKey().id(), p.activeCount(), shares, finite(p.meanPairwiseCos()),
                    finite(p.meanCosToTop()), norm(x), Targets.distance(x, a)));
        }
        return out;
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int k = 0; k < d.length; k++) {
            f[k] = (float) d[k];
        }
        return f;
    }
}
