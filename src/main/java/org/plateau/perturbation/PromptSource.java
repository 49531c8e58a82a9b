package org.plateau.perturbation;

import org.apache.commons.math3.random.RandomGenerator;

/** Where prompts come from: a dataset's token windows, or uniform random tokens. */
public interface PromptSource {

    /** A prompt drawn with {@code rng}; the same generator state gives the same prompt. */
    int[] draw(RandomGenerator rng);

    /** How many distinct prompts it can give (for random tokens, effectively unbounded). */
    long size();

    /** One line for reports: what the prompts are. */
    String describe();
}
