package org.plateau.perturbation;

import java.nio.charset.StandardCharsets;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Independent random streams derived from one seed. Each perturbation draws from its own stream,
 * named by what it is (experiment, type, index), so results do not depend on the order in which
 * perturbations run, and a resumed run draws exactly what an uninterrupted one would.
 */
public final class Seeds {

    private Seeds() {}

    public static RandomGenerator stream(long seed, Object... name) {
        long h = mix(seed);
        for (Object part : name) {
            for (byte b : String.valueOf(part).getBytes(StandardCharsets.UTF_8)) {
                h = mix(h ^ b);
            }
            h = mix(h ^ 0x2f);
        }
        return new Well19937c(new int[] {(int) h, (int) (h >>> 32), (int) mix(h), (int) (mix(h) >>> 32)});
    }

    /** SplitMix64's finaliser: a bijective scramble of 64 bits. */
    private static long mix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
