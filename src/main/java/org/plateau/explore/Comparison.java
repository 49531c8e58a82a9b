package org.plateau.explore;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.plateau.perturbation.Paper;
import org.plateau.data.Datasets;
import org.plateau.experiment.Experiment;
import org.plateau.experiment.Lab;
import org.plateau.experiment.PerturbationSettings;
import org.plateau.experiment.PerturbationRecord;
import org.plateau.experiment.StudyRunner;
import org.plateau.experiment.StudySettings;
import org.plateau.perturbation.StepMode;
import org.plateau.perturbation.TargetType;

/**
 * A batch for the compare panel: n perturbations per chosen target type, each from its own
 * model-generated base, run as the study runs them (so any of them can be reopened exactly).
 * Cancelling keeps what finished.
 */
public final class Comparison {

    public record Request(List<TargetType> types, StepMode mode, int n, long seed, PerturbationSettings settings) {}

    /** What a batch produced; {@code complete} is false when it was cancelled. */
    public record Result(List<PerturbationRecord> records, StudySettings settings, boolean complete) {}

    /** Progress of a batch. */
    public interface Listener {
        default void fitting(long done, long total) {}

        void progress(int done, int total);

        /** Everything finished so far, after each base (for a live view). */
        default void partial(List<PerturbationRecord> soFar) {}
    }

    private Comparison() {}

    public static StudySettings settings(Request r) {
        Experiment e = r.mode() == StepMode.ABSOLUTE ? Experiment.SENSITIVITY : Experiment.RELATIVE;
        return new StudySettings(r.n(), r.seed(), Datasets.SAMPLE_PROMPTS, r.settings(), r.types(), Set.of(e));
    }

    public static Result run(Lab lab, Request r, Listener listener, BooleanSupplier cancelled) {
        StudySettings s = settings(r);
        StudyRunner runner = new StudyRunner(lab, s, Datasets.defaultFor(lab.model().config(), Paper.PROMPT_LENGTH));
        if (runner.needsDistribution()) {
            runner.distribution(done -> listener.fitting(done, r.settings().statsActivations()));
        }
        List<PerturbationRecord> records = new ArrayList<>();
        for (int i = 0; i < r.n(); i++) {
            if (cancelled.getAsBoolean()) {
                return new Result(records, s, false);
            }
            records.addAll(runner.run(i).perturbations());
            listener.progress(i + 1, r.n());
            listener.partial(List.copyOf(records));
        }
        return new Result(records, s, true);
    }
}
