package org.plateau.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.model.Gpt2Prefix;
import org.plateau.perturbation.ActivationDistribution;
import org.plateau.perturbation.Curve;
import org.plateau.perturbation.MetricValues;
import org.plateau.perturbation.PerturbationSweep;
import org.plateau.perturbation.PromptSource;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.SweepSettings;
import org.plateau.perturbation.Target;
import org.plateau.perturbation.TargetType;
import org.plateau.perturbation.Targets;
import org.plateau.sae.LatentCooccurrence;

/**
 * Perturbations, made the one way: a base prompt is run once ({@link #base}), targets are made
 * for its activation, and sweeps from it (or from another base vector) toward them go through
 * the model together, each coming back with its curves and every metric. The command line's
 * {@code curve}, the window's Explore and Compare, {@code reproduce} and reopening a recorded
 * perturbation all make theirs here.
 */
public final class Perturber {

    /**
     * Rows per batched pass, within a bounded memory: a base's 21 sweeps (21 × 101 rows) in two
     * even batches, and so are the paper's 18 ({@code --types paper}). Batches of 700 to 1,800 rows
     * ran equally fast here, and the larger ones hold more memory at the peak.
     */
    public static final int MAX_BATCH_ROWS = 1200;

    private final Lab lab;
    private final PromptSource prompts;
    private final PerturbationSettings settings;
    private final Targets targets;
    private final PerturbationSweep sweeps;
    /** Whether sweeps keep the read hook's activations (a read-layer SAE encodes them). */
    private boolean keepReads;

    public Perturber(Lab lab, PromptSource prompts, PerturbationSettings settings) {
        this.lab = lab;
        this.prompts = prompts;
        this.settings = settings;
        this.targets = lab.targets(settings.hook(), prompts, settings.statsActivations(), settings.targetCos());
        this.sweeps = lab.sweep();
    }

    public PerturbationSettings settings() {
        return settings;
    }

    /** From now on, sweeps carry the read hook's activation at every step (or stop carrying them). */
    public void keepReads(boolean keep) {
        this.keepReads = keep;
    }

    public Lab lab() {
        return lab;
    }

    /** The random-target distribution, fitted now (or read from the cache), with the activations done so far. */
    public ActivationDistribution distribution(LongConsumer progress) {
        return lab.distribution(settings.hook(), prompts, settings.statsActivations(), progress);
    }

    /** The firing statistics co-occurrence targets choose by, computed now (or read from the cache). */
    public LatentCooccurrence firings(LongConsumer progress) {
        return lab.firings(settings.hook(), prompts, settings.statsActivations(), progress);
    }

    /** A base prompt, run once; close it when its perturbations are done. */
    public Base base(int[] tokens) {
        return new Base(lab.model().prefill(tokens, settings.hook()));
    }

    /**
     * A base run by another perturber at the same hook, taken over with these settings (its prompt
     * is not run again); the other one must no longer be used, only this one closed.
     */
    public Base rebase(Base other) {
        if (!other.prefix.at().equals(settings.hook())) {
            throw new IllegalArgumentException("a base prepared at " + other.prefix.at() + ", not " + settings.hook());
        }
        return new Base(other.prefix);
    }

    /**
     * One sweep to make from a base prompt.
     *
     * @param from the vector the sweep starts from: the base activation, or another base (plateau)
     */
    public record Spec(StepMode mode, TargetType baseType, float[] from, Target target) {}

    /** A base prompt whose last position the perturbations replace. */
    public final class Base implements AutoCloseable {
        private final Gpt2Prefix prefix;

        private Base(Gpt2Prefix prefix) {
            this.prefix = prefix;
        }

        public int[] tokens() {
            return prefix.tokens();
        }

        /** The perturber whose settings this base's sweeps follow. */
        public Perturber owner() {
            return Perturber.this;
        }

        /** The base activation A at the perturbed hook. */
        public float[] activation() {
            return prefix.activation();
        }

        /** A target of a type for this base, drawn from {@code rng}. */
        public Target target(TargetType type, RandomGenerator rng) {
            return targets.make(type, prefix.activation(), rng);
        }

        /**
         * The response to each of several points at once (the base's ablations): L2 and KL of each
         * against the base activation, with the read activations.
         */
        public Curve atPoints(List<float[]> points) {
            List<float[]> all = new ArrayList<>();
            all.add(prefix.activation());
            all.addAll(points);
            Curve c = sweeps.runPoints(prefix, all, settings.read());
            return new Curve(java.util.Arrays.copyOfRange(c.l2(), 1, all.size()),
                    java.util.Arrays.copyOfRange(c.kl(), 1, all.size()),
                    java.util.Arrays.copyOfRange(c.reads(), 1, all.size()));
        }

        /** The base with one of its latents removed (−1: its strongest). */
        public Target ablation(int latent) {
            return targets.ablation(prefix.activation(), latent);
        }

        /** A target from a given prompt (model-generated, sae-reconstruction). */
        public Target target(TargetType type, int[] targetTokens) {
            return targets.fromPrompt(type, targetTokens);
        }

        /** The sweep from the base activation toward a target. */
        public Spec toward(Target target, StepMode mode) {
            return new Spec(mode, TargetType.MODEL_GENERATED, prefix.activation(), target);
        }

        public Perturbed sweep(Spec spec) {
            return sweep(List.of(spec)).get(0);
        }

        /** Every spec swept, in shared batches; the results in the same order. */
        public List<Perturbed> sweep(List<Spec> specs) {
            List<PerturbationSweep.Job> jobs = new ArrayList<>();
            for (Spec s : specs) {
                jobs.add(new PerturbationSweep.Job(s.from(), s.target().activation(), settings.sweep(s.mode()), keepReads));
            }
            List<Curve> curves = sweeps.runAll(prefix, jobs, MAX_BATCH_ROWS);
            List<Perturbed> out = new ArrayList<>();
            for (int k = 0; k < specs.size(); k++) {
                Spec s = specs.get(k);
                SweepSettings sweep = jobs.get(k).settings();
                out.add(new Perturbed(prefix.tokens(), s.baseType(), s.target().type(), s.target(), s.from(), sweep,
                        curves.get(k), MetricValues.of(curves.get(k), settings.apThreshold()), settings.apThreshold(),
                        Targets.distance(s.from(), s.target().activation())));
            }
            return out;
        }

        @Override
        public void close() {
            prefix.close();
        }
    }
}
