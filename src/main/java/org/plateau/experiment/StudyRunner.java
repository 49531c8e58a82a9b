package org.plateau.experiment;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.perturbation.Paper;
import org.plateau.PlateauException;
import org.plateau.perturbation.ActivationDistribution;
import org.plateau.perturbation.PromptSource;
import org.plateau.perturbation.Seeds;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.Target;
import org.plateau.perturbation.TargetType;
import org.plateau.perturbation.Targets;
import org.plateau.sae.Latent;
import org.plateau.sae.LatentProperties;
import org.plateau.sae.Sae;
import org.plateau.sae.SyntheticActivations;

/**
 * Runs a study one base at a time. Everything of base i — its prompt, targets, plateau bases —
 * is drawn from random streams named after i, so any index can be computed alone, in any order,
 * with the same result: what makes an interrupted run resumable.
 *
 * <p>For each base the prompt is run once, and all its sweeps (both step modes, every target,
 * every plateau base) go through the remaining blocks in shared batches ({@link Perturber}).
 */
public final class StudyRunner {

    /** Everything computed for one base. */
    public record IndexResult(int index, List<PerturbationRecord> perturbations, List<LatentRecord> latents) {}

    /** The plateau experiment's base types (§4.4, and Plateau's co-occurrence synthesis); its target is always random. */
    static final List<TargetType> PLATEAU_BASES = List.of(TargetType.MODEL_GENERATED,
            TargetType.SYNTHETIC_BASELINE, TargetType.SYNTHETIC_STRUCTURED, TargetType.RANDOM,
            TargetType.SYNTHETIC_COOCCURRENCE);

    /** Where a base's time goes, for the benchmark. */
    public enum Phase { PREFILL, TARGETS, SWEEPS, LATENTS }

    private final Lab lab;
    private final StudySettings s;
    private final PromptSource prompts;
    private final Perturber perturber;
    private final SyntheticActivations synth;
    private final Map<Phase, Long> nanos = new EnumMap<>(Phase.class);
    private final java.util.concurrent.atomic.AtomicInteger basesRun = new java.util.concurrent.atomic.AtomicInteger();

    public StudyRunner(Lab lab, StudySettings settings, PromptSource prompts) {
        int context = lab.model().config().nCtx();
        if (context < Paper.PROMPT_LENGTH) {
            throw new PlateauException("The model's context holds " + context + " tokens, fewer than the "
                    + Paper.PROMPT_LENGTH + " of the study's prompts.");
        }
        if (prompts.size() < 2) {
            throw new PlateauException("The dataset gives only " + prompts.size() + " prompt; a study needs at least two"
                    + " (a model-generated target comes from another prompt than its base).");
        }
        this.lab = lab;
        this.s = settings;
        this.prompts = prompts;
        this.perturber = new Perturber(lab, prompts, settings.perturbation());
        this.synth = lab.sae() == null ? null : new SyntheticActivations(lab.sae());
    }

    /** The sensitivity target types that can run: those needing an SAE only when one is loaded. */
    public List<TargetType> targetTypes() {
        return s.targetTypes().stream().filter(t -> !t.needsSae() || lab.sae() != null).toList();
    }

    /** The plateau base types that run: those among the study's types, the SAE's only with an SAE. */
    public List<TargetType> plateauBases() {
        return PLATEAU_BASES.stream().filter(t -> lab.sae() != null || !t.needsSae())
                .filter(t -> s.targetTypes().contains(t)).toList();
    }

    /** Sweeps per base with these settings: each target in each step mode, and each plateau base. */
    public int sweepsPerBase() {
        int modes = (s.runs(Experiment.SENSITIVITY) ? 1 : 0) + (s.runs(Experiment.RELATIVE) ? 1 : 0);
        return modes * targetTypes().size() + (s.runs(Experiment.PLATEAU) ? plateauBases().size() : 0);
    }

    /** Whether the random-target distribution is needed (it costs thousands of forward passes). */
    public boolean needsDistribution() {
        return s.runs(Experiment.PLATEAU)
                || (targetTypes().contains(TargetType.RANDOM)
                        && (s.runs(Experiment.SENSITIVITY) || s.runs(Experiment.RELATIVE) || s.runs(Experiment.LATENTS)));
    }

    /** Fits (or loads) the random-target distribution up front, reporting activations computed. */
    public ActivationDistribution distribution(LongConsumer progress) {
        return perturber.distribution(progress);
    }

    /** Whether the latents' firing statistics are needed (a co-occurrence target or base). */
    public boolean needsFirings() {
        boolean targets = s.runs(Experiment.SENSITIVITY) || s.runs(Experiment.RELATIVE) || s.runs(Experiment.LATENTS);
        return (targets && targetTypes().stream().anyMatch(TargetType::needsFirings))
                || (s.runs(Experiment.PLATEAU) && plateauBases().stream().anyMatch(TargetType::needsFirings));
    }

    /** Computes (or loads) the firing statistics up front, reporting activations encoded. */
    public void firings(LongConsumer progress) {
        perturber.firings(progress);
    }

    /** Seconds spent so far in each phase of {@link #run}. */
    public Map<Phase, Double> seconds() {
        Map<Phase, Double> out = new EnumMap<>(Phase.class);
        nanos.forEach((p, n) -> out.put(p, n / 1e9));
        return out;
    }

    private long clock(Phase phase, long since) {
        long now = System.nanoTime();
        nanos.merge(phase, now - since, Long::sum);
        return now;
    }

    /** A sweep of base i and what it is called in the records. */
    private record Named(Experiment experiment, Perturber.Spec spec, String targetStream) {}

    public IndexResult run(int i) {
        // the first base too: with its statistics read from the cache, a run would start on G1's initial heap
        if (basesRun.getAndIncrement() % JavaHeap.BASES_BETWEEN == 0) {
            JavaHeap.giveBack();
        }
        int[] tokens = prompts.draw(Seeds.stream(s.seed(), "base", i));
        long t = System.nanoTime();
        try (Perturber.Base base = perturber.base(tokens)) {
            t = clock(Phase.PREFILL, t);
            Map<TargetType, Target> made = targets(base, i);
            List<Named> sweeps = new ArrayList<>();
            for (Experiment e : List.of(Experiment.SENSITIVITY, Experiment.RELATIVE)) {
                if (s.runs(e)) {
                    StepMode mode = e == Experiment.SENSITIVITY ? StepMode.ABSOLUTE : StepMode.RELATIVE;
                    for (TargetType type : targetTypes()) {
                        sweeps.add(new Named(e, base.toward(made.get(type), mode), "target/" + i + "/" + type.id()));
                    }
                }
            }
            if (s.runs(Experiment.PLATEAU)) {
                ActivationDistribution gaussian = distribution(null);
                Target randomTarget = plateauTarget(gaussian, i);
                for (TargetType b : plateauBases()) {
                    // a structured base is the structured target (it draws nothing): made once
                    boolean same = b == TargetType.SYNTHETIC_STRUCTURED || b == TargetType.SYNTHETIC_COOCCURRENCE;
                    float[] from = same && made.containsKey(b) ? made.get(b).activation()
                            : plateauBase(b, base.activation(), i, gaussian);
                    sweeps.add(new Named(Experiment.PLATEAU, new Perturber.Spec(StepMode.ABSOLUTE, b, from, randomTarget),
                            "plateau-target/" + i));
                }
            }
            t = clock(Phase.TARGETS, t);
            List<Perturbed> done = base.sweep(sweeps.stream().map(Named::spec).toList());
            t = clock(Phase.SWEEPS, t);
            List<PerturbationRecord> records = new ArrayList<>();
            for (int k = 0; k < sweeps.size(); k++) {
                records.add(record(sweeps.get(k), done.get(k), i));
            }
            List<LatentRecord> latents = s.runs(Experiment.LATENTS) && lab.sae() != null
                    ? latentRecords(i, base.activation(), made) : List.of();
            clock(Phase.LATENTS, t);
            return new IndexResult(i, records, latents);
        }
    }

    /** The sensitivity targets of base i, each from its own stream (also for the latents experiment). */
    private Map<TargetType, Target> targets(Perturber.Base base, int i) {
        Map<TargetType, Target> made = new EnumMap<>(TargetType.class);
        if (s.runs(Experiment.SENSITIVITY) || s.runs(Experiment.RELATIVE) || s.runs(Experiment.LATENTS)) {
            for (TargetType type : targetTypes()) {
                made.put(type, base.target(type, Seeds.stream(s.seed(), "target", i, type.id())));
            }
        }
        return made;
    }

    private Target plateauTarget(ActivationDistribution gaussian, int i) {
        return new Target(TargetType.RANDOM, gaussian.sample(Seeds.stream(s.seed(), "plateau-target", i)), null);
    }

    /**
     * A recorded perturbation made again, exactly as {@link #run} made it — its base and target
     * drawn again from their random streams and swept (needs the run's model and SAE).
     */
    public Perturbed recreate(PerturbationRecord r) {
        int i = r.index();
        StepMode mode = StepMode.parse(r.mode());
        try (Perturber.Base base = perturber.base(r.baseTokens())) {
            if (r.experiment().equals(Experiment.PLATEAU.id())) {
                ActivationDistribution gaussian = distribution(null);
                TargetType baseType = TargetType.parse(r.baseType());
                return base.sweep(new Perturber.Spec(mode, baseType, plateauBase(baseType, base.activation(), i, gaussian),
                        plateauTarget(gaussian, i)));
            }
            TargetType type = TargetType.parse(r.targetType());
            return base.sweep(base.toward(base.target(type, Seeds.stream(s.seed(), "target", i, type.id())), mode));
        }
    }

    /** A plateau base: the real activation, or one made from it, or a Gaussian draw. */
    private float[] plateauBase(TargetType type, float[] a, int i, ActivationDistribution gaussian) {
        RandomGenerator rng = Seeds.stream(s.seed(), "plateau-base", i, type.id());
        return switch (type) {
            case MODEL_GENERATED -> a;
            case SYNTHETIC_BASELINE -> synth.baseline(a, rng).activation();
            case SYNTHETIC_STRUCTURED -> synth.structured(a, s.targetCos()).activation();
            case SYNTHETIC_COOCCURRENCE -> synth.cooccurrence(a, s.targetCos(), perturber.firings(null)).activation();
            case RANDOM -> gaussian.sample(rng);
            default -> throw new IllegalArgumentException("not a plateau base: " + type);
        };
    }

    private PerturbationRecord record(Named n, Perturbed p, int i) {
        Target target = p.target();
        List<Integer> chosen = target.synthesis() == null ? null : target.synthesis().chosen();
        return new PerturbationRecord(n.experiment().id(), p.sweep().mode().id(), i, p.baseType().id(),
                p.targetType().id(), p.baseTokens(), target.tokens(), n.targetStream(), chosen, p.distance(),
                toFloats(p.curve().l2()), toFloats(p.curve().kl()), p.metrics());
    }

    /** Appendix E for every target of base i, including the model-generated one (a real activation). */
    private List<LatentRecord> latentRecords(int i, float[] a, Map<TargetType, Target> made) {
        Sae sae = lab.sae();
        List<Map.Entry<TargetType, Target>> targets = new ArrayList<>(made.entrySet());
        List<List<Latent>> actives = sae.activeLatents(targets.stream().map(e -> e.getValue().activation()).toList());
        List<LatentRecord> out = new ArrayList<>();
        for (int k = 0; k < targets.size(); k++) {
            Map.Entry<TargetType, Target> e = targets.get(k);
            float[] x = e.getValue().activation();
            LatentProperties p = LatentProperties.of(sae, actives.get(k));
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
