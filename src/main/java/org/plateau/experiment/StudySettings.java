package org.plateau.experiment;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.plateau.perturbation.Paper;
import org.plateau.PlateauException;
import org.plateau.io.Json;
import org.plateau.model.HookPoint;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.SweepSettings;
import org.plateau.perturbation.TargetType;

/**
 * What a study was asked to do. Two runs with equal settings, model, SAE and device give equal
 * results; a resumed run must have the settings of the run it continues.
 *
 * @param n perturbations per type (the paper: 1000)
 * @param seed root of every random draw
 * @param dataset where prompts come from (see {@link org.plateau.data.Datasets})
 * @param perturbation how each perturbation is made and measured
 * @param targetTypes the sensitivity experiments' target types
 * @param experiments which parts of the study run
 */
public record StudySettings(int n, long seed, String dataset, PerturbationSettings perturbation,
        List<TargetType> targetTypes, Set<Experiment> experiments) {

    public static final double DEFAULT_AP_THRESHOLD = Paper.AP_THRESHOLD;

    public StudySettings {
        if (n < 1) {
            throw new PlateauException("--n must be at least 1, not " + n + ".");
        }
        if (n > 10_000_000) {
            throw new PlateauException("--n of " + n + " is more than Plateau can hold; use at most 10000000.");
        }
        if (targetTypes.isEmpty()) {
            throw new PlateauException("At least one target type is needed.");
        }
        targetTypes = List.copyOf(targetTypes);
        experiments = Set.copyOf(experiments);
    }

    /** The settings field by field, as results.json names them. */
    public StudySettings(int n, long seed, String dataset, HookPoint hook, HookPoint read, double stepSize, int steps,
            double apThreshold, double targetCos, int statsActivations, List<TargetType> targetTypes,
            Set<Experiment> experiments) {
        this(n, seed, dataset, new PerturbationSettings(hook, read, stepSize, steps, apThreshold, targetCos,
                statsActivations), targetTypes, experiments);
    }

    public HookPoint hook() {
        return perturbation.hook();
    }

    public HookPoint read() {
        return perturbation.read();
    }

    public double stepSize() {
        return perturbation.stepSize();
    }

    public int steps() {
        return perturbation.steps();
    }

    public double apThreshold() {
        return perturbation.apThreshold();
    }

    public double targetCos() {
        return perturbation.targetCos();
    }

    public int statsActivations() {
        return perturbation.statsActivations();
    }

    public SweepSettings sweep(StepMode mode) {
        return perturbation.sweep(mode);
    }

    public boolean runs(Experiment e) {
        return experiments.contains(e);
    }

    /** Settings as {@link #toJson()} wrote them (a results.json being browsed or reopened). */
    public static StudySettings fromJson(com.fasterxml.jackson.databind.JsonNode o, int nLayer) {
        List<TargetType> types = new java.util.ArrayList<>();
        o.path("target_types").forEach(t -> types.add(TargetType.parse(t.asText())));
        Set<Experiment> experiments = java.util.EnumSet.noneOf(Experiment.class);
        o.path("experiments").forEach(e -> experiments.add(Experiment.parse(e.asText())));
        return new StudySettings(o.path("n").asInt(), o.path("seed").asLong(), o.path("dataset").asText(),
                HookPoint.parse(o.path("hook").asText(), nLayer), HookPoint.parse(o.path("read").asText(), nLayer),
                o.path("step_size").asDouble(), o.path("steps").asInt(), o.path("ap_threshold").asDouble(),
                o.path("target_cos").asDouble(), o.path("stats_activations").asInt(), types, experiments);
    }

    /** The settings as results.json records them, in a fixed order. */
    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("n", n);
        o.put("seed", seed);
        o.put("dataset", dataset);
        o.put("hook", hook().name());
        o.put("read", read().name());
        o.put("step_size", stepSize());
        o.put("steps", steps());
        o.put("ap_threshold", apThreshold());
        o.put("target_cos", targetCos());
        o.put("stats_activations", statsActivations());
        ArrayNode types = o.putArray("target_types");
        targetTypes.forEach(t -> types.add(t.id()));
        ArrayNode ex = o.putArray("experiments");
        for (Experiment e : Experiment.values()) {
            if (experiments.contains(e)) {
                ex.add(e.id());
            }
        }
        return o;
    }
}
