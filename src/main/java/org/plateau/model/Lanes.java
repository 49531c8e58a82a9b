package org.plateau.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Lanes for independent batches run side by side on the CPU: each lane is one thread whose
 * PyTorch operations use its share of the cores.
 *
 * <p>What it gains: on two cores, the two batches of a base's sweeps finish up to a tenth sooner
 * one per core, side by side, than one after the other on both cores (bench measures it; with
 * MKL's AVX2 kernels, {@link MklKernels}, it ranged from nothing to 13 %). MKL's
 * two threads share one matrix product of a thousand rows less well than two products run apart,
 * and while one lane multiplies, the other's elementwise passes, small operations and Java work
 * use the core that would otherwise wait. One sweep split into halves gains nothing (its halves of
 * 51 rows ran slower), so only whole batches go to lanes. What it costs: memory, about 0.1 to
 * 0.2 GB more at the peak of a {@code reproduce} on GPT-2 small, which the allocator keeps for each
 * lane's thread whatever the batch size. So one lane is the default.
 *
 * <p>A GPU, or a single core, has one lane: the caller's own thread.
 */
public final class Lanes implements AutoCloseable {

    private final int count;
    /** One thread per lane; none when the lanes take turns on the caller's thread. */
    private final ExecutorService[] threads;

    private Lanes(int count, ExecutorService[] threads) {
        this.count = count;
        this.threads = threads;
    }

    /** One lane: tasks run on the caller's thread, with its own PyTorch threads. */
    public static Lanes one() {
        return inTurn(1);
    }

    /**
     * {@code count} lanes that take turns on the caller's thread, each task as it is given: work
     * is split for {@code count} lanes as side by side, and gives the same numbers, one batch
     * after the other (a check of the side-by-side lanes).
     */
    public static Lanes inTurn(int count) {
        return new Lanes(count, new ExecutorService[0]);
    }

    /** {@code count} lanes on {@code device}: side by side on a CPU with a core for each, else one. */
    public static Lanes forDevice(Device device, int count) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (count <= 1 || !Device.Type.CPU.equals(device.getDeviceType()) || cores < count) {
            return one();
        }
        return sideBySide(count, cores / count);
    }

    /**
     * {@code count} lane threads, each with {@code coresEach} PyTorch (intra-op) threads.
     * PyTorch keeps that number per thread, but also as the default of threads that have not yet
     * run an operation: the caller's own number is set back as that default at once.
     */
    public static Lanes sideBySide(int count, int coresEach) {
        Engine.getEngine("PyTorch"); // loads the native library that the thread settings live in
        int callers = JniUtils.getNumThreads();
        ExecutorService[] threads = new ExecutorService[count];
        for (int k = 0; k < count; k++) {
            String name = "plateau-lane-" + k;
            threads[k] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true); // an unclosed model must not keep the program alive
                return t;
            });
        }
        try {
            for (ExecutorService t : threads) {
                t.submit(() -> JniUtils.setNumThreads(coresEach)).get();
            }
        } catch (Exception e) {
            for (ExecutorService t : threads) {
                t.shutdownNow();
            }
            throw new IllegalStateException("cannot start the model's lanes", e);
        } finally {
            JniUtils.setNumThreads(callers);
        }
        return new Lanes(count, threads);
    }

    /** How many batches can run at once. */
    public int count() {
        return count;
    }

    /** Runs {@code task} on lane {@code lane} (0 ≤ lane < count), after the tasks given to it before. */
    public <T> Future<T> submit(int lane, Callable<T> task) {
        if (threads.length == 0) {
            FutureTask<T> now = new FutureTask<>(task);
            now.run();
            return now;
        }
        return threads[lane].submit(task);
    }

    /**
     * Every task's result, in order, once all have finished, even if this thread is interrupted
     * meanwhile (their work may use what the caller frees next; the interrupt is kept). The first
     * failure is thrown as the task threw it.
     */
    public static <T> List<T> awaitAll(List<Future<T>> tasks) {
        List<T> results = new ArrayList<>();
        Throwable failure = null;
        boolean interrupted = false;
        for (Future<T> task : tasks) {
            while (true) {
                try {
                    results.add(task.get());
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        return results;
    }

    @Override
    public void close() {
        for (ExecutorService t : threads) {
            t.shutdown();
        }
    }
}
