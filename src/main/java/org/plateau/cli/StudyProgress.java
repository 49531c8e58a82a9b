package org.plateau.cli;

import java.io.PrintStream;
import org.plateau.data.Datasets;
import org.plateau.experiment.Lab;
import org.plateau.experiment.LayerStudy;
import org.plateau.experiment.ModelCheck;

/** What a running study ({@code reproduce}, each layer of {@code layers}) shows on stderr. */
final class StudyProgress implements LayerStudy.Listener {

    private final PrintStream err;
    private final Datasets.Dataset dataset;
    private final ProgressLine line;
    private String prefix = "";

    StudyProgress(PrintStream err, Datasets.Dataset dataset) {
        this.err = err;
        this.dataset = dataset;
        this.line = new ProgressLine(err);
    }

    ProgressLine line() {
        return line;
    }

    /** Says, if the program is stopped before {@link #finished}, that the work is kept and how to continue it. */
    static final class InterruptHint implements AutoCloseable {
        private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        private final Thread hook;

        private InterruptHint(PrintStream err, String command, java.nio.file.Path out) {
            hook = new Thread(() -> {
                if (!done.get()) {
                    err.println("\n" + command + ": interrupted; finished work is kept in " + out
                            + " — run the same command with --resume to continue.");
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
        }

        void finished() {
            done.set(true);
        }

        @Override
        public void close() {
            done.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
    }

    static InterruptHint hintOnInterrupt(PrintStream err, String command, java.nio.file.Path out) {
        return new InterruptHint(err, command, out);
    }

    @Override
    public void layer(LayerStudy.LayerSae layer, int position, int count) {
        prefix = "layer " + layer.layer() + " (" + (position + 1) + "/" + count + ") ";
        err.println("plateau: " + prefix.strip() + ": perturbing " + layer.hook().name() + " with the SAE " + layer.sae());
    }

    @Override
    public void fitting(long done, long total) {
        line.update(prefix + "random-target distribution", done, Lab.statisticsPromptCount(dataset.prompts(), (int) total),
                0, "activations");
    }

    @Override
    public void firings(long done, long total) {
        line.update(prefix + "latent firing statistics", done, Lab.statisticsPromptCount(dataset.prompts(), (int) total),
                0, "activations");
    }

    @Override
    public void progress(int done, int total, double perSecond) {
        line.update(prefix + "bases", done, total, perSecond, "bases");
    }

    @Override
    public void checking() {
        err.println("plateau: checking the model (once)…");
    }

    @Override
    public void checked(ModelCheck c) {
        err.println("plateau: " + (c.warns() ? "WARNING: " : "check: ") + c.line());
    }
}
