package org.plateau.explore;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.plateau.model.Gpt2;
import org.plateau.perturbation.SweepSettings;

/** The read-hook activation of a perturbation's step, by running its whole prompt again with the step's vector patched in. */
public final class DirectReads {

    private DirectReads() {}

    public static float[] at(Gpt2 model, Perturbation p, int n) {
        SweepSettings s = p.settings();
        float[] x = s.point(p.base(), p.target().activation(), n);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray v = m.create(x).reshape(1, x.length);
            Gpt2.Output o = model.forward(new int[][] {p.baseTokens()}, new Gpt2.Patch(s.hook(), v), List.of(s.read()),
                    false, m);
            return o.recorded().get(s.read().name()).toFloatArray();
        }
    }
}
