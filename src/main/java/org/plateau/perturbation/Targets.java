package org.plateau.perturbation;

import java.util.function.Supplier;
import org.apache.commons.math3.random.RandomGenerator;
import org.plateau.PlateauException;
import org.plateau.perturbation.PromptSource;
import org.plateau.model.Gpt2;
import org.plateau.model.HookPoint;
import java.util.List;
import org.plateau.sae.Latent;
import org.plateau.sae.LatentCooccurrence;
import org.plateau.sae.Sae;
import org.plateau.sae.SyntheticActivations;

/**
 * Makes target activations of each type for a given base (METHOD §4).
 *
 * <p>The random-target distribution is fitted lazily, the first time a random target is asked for,
 * since it costs thousands of forward passes.
 */
public final class Targets {

    /** Model-generated targets closer than this to the base are redrawn. */
    static final double MIN_DISTANCE = 1e-3;
    private static final int MAX_REDRAWS = 1000;

    private final Gpt2 model;
    private final HookPoint hook;
    private final Sae sae;
    private final SyntheticActivations synth;
    private final PromptSource prompts;
    private final Supplier<ActivationDistribution> gaussian;
    private final Supplier<LatentCooccurrence> firings;
    private final double targetCos;

    /**
     * @param sae may be null when no SAE type is asked for
     * @param gaussian supplies the random-target distribution (memoised by the caller)
     * @param firings supplies the firing statistics of the same activations' SAE codes (memoised)
     * @param targetCos c* of structured synthesis
     */
    public Targets(Gpt2 model, HookPoint hook, Sae sae, PromptSource prompts,
            Supplier<ActivationDistribution> gaussian, Supplier<LatentCooccurrence> firings, double targetCos) {
        this.model = model;
        this.hook = hook;
        this.sae = sae;
        this.synth = sae == null ? null : new SyntheticActivations(sae);
        this.prompts = prompts;
        this.gaussian = gaussian;
        this.firings = firings;
        this.targetCos = targetCos;
        if (sae != null) {
            sae.checkWidth(model.config().dModel());
        }
    }

    public Target make(TargetType type, float[] base, RandomGenerator rng) {
        if (type.needsSae() && sae == null) {
            throw new PlateauException("The target type " + type.id() + " needs an SAE (--sae).");
        }
        return switch (type) {
            case MODEL_GENERATED -> modelGenerated(base, rng);
            case RANDOM -> new Target(type, gaussian.get().sample(rng), null);
            case SYNTHETIC_RANDOM -> synthetic(type, synth.random(base, rng));
            case SYNTHETIC_BASELINE -> synthetic(type, synth.baseline(base, rng));
            case SYNTHETIC_STRUCTURED -> synthetic(type, synth.structured(base, targetCos));
            case SYNTHETIC_STRUCTURED_NO_COS -> synthetic(type, synth.structuredNoCos(base));
            case SYNTHETIC_COOCCURRENCE -> synthetic(type, synth.cooccurrence(base, targetCos, firings.get()));
            case ABLATE_LATENT -> ablation(base, -1);
            case SAE_RECONSTRUCTION -> {
                Target t = modelGenerated(base, rng);
                yield new Target(type, sae.reconstruct(t.activation()), t.tokens());
            }
        };
    }

    /**
     * METHOD §4.9: T = A − z_k(A)·W_dec[k] (leaving the SAE's space as A's reconstruction would): the
     * base with latent k removed, its reconstruction error kept. {@code latent} −1 takes the base's
     * strongest latent; a latent not active in the base is refused (removing it changes nothing).
     */
    public Target ablation(float[] base, int latent) {
        if (sae == null) {
            throw new PlateauException("The target type ablate-latent needs an SAE (--sae).");
        }
        double[] z = sae.encode(base);
        List<Latent> active = Sae.active(z);
        if (active.isEmpty()) {
            throw new PlateauException("The base activation has no active SAE latent to ablate.");
        }
        int k = latent < 0 ? active.get(0).index() : latent;
        if (k >= z.length || z[k] <= 0) {
            throw new PlateauException("Latent " + k + " is not active in the base" + (k >= z.length ? " (the SAE has "
                    + z.length + " latents)" : "") + "; its strongest are " + active.subList(0, Math.min(5, active.size()))
                    .stream().map(l -> Integer.toString(l.index())).collect(java.util.stream.Collectors.joining(", ")) + ".");
        }
        float[] removed = sae.contribution(k, z[k], base);
        float[] t = new float[base.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = base[i] - removed[i];
        }
        return new Target(TargetType.ABLATE_LATENT, t, null, null, new Latent(k, z[k]));
    }

    /** A model-generated target from a given prompt (the user chose it). */
    public Target fromPrompt(TargetType type, int[] tokens) {
        float[] t = model.activation(tokens, hook);
        return switch (type) {
            case MODEL_GENERATED -> new Target(type, t, tokens.clone());
            case SAE_RECONSTRUCTION -> new Target(type, sae.reconstruct(t), tokens.clone());
            default -> throw new PlateauException("Target tokens apply to model-generated and sae-reconstruction targets only.");
        };
    }

    private Target modelGenerated(float[] base, RandomGenerator rng) {
        for (int attempt = 0; attempt < MAX_REDRAWS; attempt++) {
            int[] tokens = prompts.draw(rng);
            float[] t = model.activation(tokens, hook);
            if (distance(t, base) >= MIN_DISTANCE) {
                return new Target(TargetType.MODEL_GENERATED, t, tokens);
            }
        }
        throw new PlateauException("Every prompt drawn gives the base's own activation; the dataset is too small.");
    }

    private static Target synthetic(TargetType type, SyntheticActivations.Synthesis s) {
        return new Target(type, s.activation(), null, s, null);
    }

    public static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
