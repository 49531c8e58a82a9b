package org.plateau.perturbation;

/**
 * The paper's settings (METHOD §2, §4.5, §5, §6), in one place: every default of the program is
 * one of these.
 */
public final class Paper {

    /** Prompts are 10 tokens; the last one is perturbed. */
    public static final int PROMPT_LENGTH = 10;
    /** s of absolute steps. */
    public static final double STEP_SIZE = 0.5;
    /** N: a sweep has N + 1 points, n = 0..N. */
    public static final int STEPS = 100;
    /** The L2 level that ends the activation plateau. */
    public static final double AP_THRESHOLD = 20;
    /** Perturbations per type. */
    public static final int N = 1000;
    /** Model-generated activations behind the random targets' μ and Σ. */
    public static final int STATS_ACTIVATIONS = 32_000;
    /** c* of structured synthesis: the mean cosine of two GPT-2 activations after subtracting b_dec. */
    public static final double TARGET_COS = 0.42;

    private Paper() {}
}
