package org.plateau.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.plateau.PlateauException;

/** Lanes: tasks in order per lane, and waiting for them that an interrupt does not cut short. */
class LanesTest {

    @Test
    void anInterruptedCallerStillWaitsForEveryTaskAndKeepsTheInterrupt() throws Exception {
        Thread caller = Thread.currentThread();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        try (Lanes lanes = Lanes.sideBySide(2, 1)) {
            Future<Integer> slow = lanes.submit(0, () -> {
                release.await();
                finished.set(true);
                return 7;
            });
            Future<Integer> quick = lanes.submit(1, () -> 8);
            // interrupt the caller once it waits, and let the task end once it waits again
            Thread helper = new Thread(() -> {
                awaitWaiting(caller);
                caller.interrupt();
                while (caller.isInterrupted()) {
                    Thread.onSpinWait(); // until the caller has taken the interrupt
                }
                awaitWaiting(caller);
                release.countDown();
            });
            helper.start();
            List<Integer> results = Lanes.awaitAll(List.of(slow, quick));
            assertTrue(finished.get(), "returned before the task it waited for had finished");
            assertEquals(List.of(7, 8), results);
            assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
            helper.join();
        }
    }

    /** Spins until {@code t} blocks; gives up after a minute so that a broken wait fails instead of hanging. */
    private static void awaitWaiting(Thread t) {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void theFirstFailureIsThrownAsItWasAfterTheOthersFinish() {
        PlateauException bad = new PlateauException("bad input");
        AtomicBoolean later = new AtomicBoolean();
        try (Lanes lanes = Lanes.sideBySide(2, 1)) {
            Future<Integer> failing = lanes.submit(0, () -> {
                throw bad;
            });
            Future<Integer> other = lanes.submit(1, () -> {
                later.set(true);
                return 1;
            });
            PlateauException thrown = assertThrows(PlateauException.class, () -> Lanes.awaitAll(List.of(failing, other)));
            assertSame(bad, thrown);
            assertTrue(later.get());
        }
    }

    @Test
    void oneLaneRunsOnTheCallersThreadInOrder() {
        try (Lanes one = Lanes.one()) {
            assertEquals(1, one.count());
            Thread caller = Thread.currentThread();
            List<Future<Thread>> ran = List.of(one.submit(0, Thread::currentThread), one.submit(0, Thread::currentThread));
            assertEquals(List.of(caller, caller), Lanes.awaitAll(ran));
        }
    }
}
