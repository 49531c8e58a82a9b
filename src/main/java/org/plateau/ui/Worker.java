package org.plateau.ui;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javafx.application.Platform;
import org.plateau.PlateauException;

/**
 * Runs engine work off the JavaFX thread, so the window never freezes. Two lanes: one for
 * exploring (a newer request makes older ones stale: their results are dropped, and ones not yet
 * started are skipped), one for long batches. Results and errors come back on the JavaFX thread.
 */
final class Worker {

    /** Engine work that returns a value. */
    @FunctionalInterface
    interface Job<T> {
        T run() throws Exception;
    }

    /** Where errors go: one sentence for the window. */
    private final Consumer<String> onError;
    private final Consumer<Boolean> onBusy;
    private final ExecutorService explore = Executors.newSingleThreadExecutor(daemon("plateau-explore"));
    private final ExecutorService batch = Executors.newSingleThreadExecutor(daemon("plateau-batch"));
    /** Per kind of request ("explore", "latents"…): the newest ticket; older ones are stale. */
    private final java.util.Map<String, AtomicLong> generations = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong running = new AtomicLong();

    Worker(Consumer<String> onError, Consumer<Boolean> onBusy) {
        this.onError = onError;
        this.onBusy = onBusy;
    }

    /**
     * Runs on the explore lane; if another job of the same kind is submitted meanwhile, this one is
     * skipped if not yet started, and its result dropped if it was.
     */
    <T> void latest(String kind, Job<T> job, Consumer<T> onResult) {
        AtomicLong generation = generations.computeIfAbsent(kind, k -> new AtomicLong());
        long ticket = generation.incrementAndGet();
        submit(explore, () -> ticket == generation.get() ? job.run() : null, r -> {
            if (ticket == generation.get() && r != null) {
                onResult.accept(r);
            }
        });
    }

    /** Runs on the explore lane, in order, never dropped (loading a model, say). */
    <T> void always(Job<T> job, Consumer<T> onResult) {
        submit(explore, job, onResult);
    }

    /** Runs on the batch lane. */
    <T> void batch(Job<T> job, Consumer<T> onResult) {
        submit(batch, job, onResult);
    }

    private <T> void submit(ExecutorService lane, Job<T> job, Consumer<T> onResult) {
        busy(+1);
        lane.submit(() -> {
            // the job counts as running until its result or error has been shown on the JavaFX thread
            try {
                T result = job.run();
                Platform.runLater(() -> finish(() -> onResult.accept(result)));
            } catch (PlateauException e) {
                Platform.runLater(() -> finish(() -> onError.accept(e.getMessage())));
            } catch (OutOfMemoryError e) {
                Platform.runLater(() -> finish(() -> onError.accept(
                        "Out of memory: use a smaller model or batch, or give Java more memory.")));
            } catch (Throwable e) {
                String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                if (System.getenv("PLATEAU_DEBUG") != null) {
                    e.printStackTrace();
                }
                Platform.runLater(() -> finish(() -> onError.accept("Something went wrong inside Plateau (" + what + ").")));
            }
        });
    }

    private void finish(Runnable show) {
        try {
            show.run();
        } finally {
            busy(-1);
        }
    }

    /** Whether nothing is queued or running (tests and scripted sessions wait for this). */
    boolean idle() {
        return running.get() == 0;
    }

    private void busy(int delta) {
        long now = running.addAndGet(delta);
        if (Platform.isFxApplicationThread()) {
            onBusy.accept(now > 0);
        } else {
            Platform.runLater(() -> onBusy.accept(running.get() > 0));
        }
    }

    void shutdown() {
        explore.shutdownNow();
        batch.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
