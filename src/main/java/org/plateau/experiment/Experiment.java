package org.plateau.experiment;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.plateau.PlateauException;

/** The parts of the paper's study that {@code reproduce} runs. */
public enum Experiment {
    /** Base: a model-generated activation; one perturbation per target type; absolute steps. */
    SENSITIVITY("sensitivity"),
    /** The same bases and targets with relative steps. */
    RELATIVE("relative"),
    /** §4.4: bases model-generated, synthetic-baseline, synthetic-structured and random; target random; AP. */
    PLATEAU("plateau"),
    /** Appendix E: the SAE code of each kind of activation. */
    LATENTS("latents");

    private final String id;

    Experiment(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Experiment parse(String s) {
        for (Experiment e : values()) {
            if (e.id.equals(s.trim())) {
                return e;
            }
        }
        throw new PlateauException("Unknown experiment '" + s.trim() + "': use "
                + Arrays.stream(values()).map(Experiment::id).collect(Collectors.joining(", ")) + ".");
    }

    /** A comma-separated list, such as {@code sensitivity,plateau}. */
    public static Set<Experiment> parseList(String list) {
        Set<Experiment> out = EnumSet.noneOf(Experiment.class);
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        if (out.isEmpty()) {
            throw new PlateauException("No experiment named in '" + list + "'.");
        }
        return out;
    }
}
