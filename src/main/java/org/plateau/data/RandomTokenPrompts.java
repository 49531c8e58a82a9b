package org.plateau.data;

import org.plateau.perturbation.PromptSource;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Prompts of uniformly random token ids in [0, vocab − 1), the last id (GPT-2's end-of-text)
 * left out as the reference oracle does. The prompt source for models without GPT-2's vocabulary,
 * whose text cannot be tokenised.
 */
public record RandomTokenPrompts(int vocabSize, int length) implements PromptSource {

    @Override
    public int[] draw(RandomGenerator rng) {
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = rng.nextInt(vocabSize - 1);
        }
        return t;
    }

    @Override
    public long size() {
        return Long.MAX_VALUE;
    }

    @Override
    public String describe() {
        return "uniformly random tokens (" + length + " per prompt, vocabulary of " + vocabSize + ")";
    }
}
