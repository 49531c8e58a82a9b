package org.plateau.hub;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A response body read with a timeout on every read: Java's HttpClient times out waiting for the
 * headers, but a body that stops arriving would block its reader forever. Chunks are requested one
 * at a time, and each must come within the timeout or the transfer is called stalled.
 */
final class TimedBody implements Flow.Subscriber<List<ByteBuffer>>, AutoCloseable {

    /** No byte came within the timeout; what arrived before is kept by the caller. */
    static final class Stalled extends IOException {
        Stalled(Duration timeout) {
            super("no data for " + timeout.toSeconds() + " s");
        }
    }

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Duration timeout;
    private volatile Flow.Subscription subscription;
    private volatile boolean finished;

    private TimedBody(Duration timeout) {
        this.timeout = timeout;
    }

    /** Subscribes to a response's body publisher ({@code BodyHandlers.ofPublisher()}). */
    static TimedBody of(Flow.Publisher<List<ByteBuffer>> body, Duration timeout) {
        TimedBody t = new TimedBody(timeout);
        body.subscribe(t);
        return t;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (finished) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /**
     * Copies the body to {@code out}, at most {@code limit} bytes.
     *
     * @param progress told the bytes copied so far after each chunk
     * @return the bytes copied
     */
    long copyTo(OutputStream out, long limit, LongConsumer progress) throws IOException {
        long copied = 0;
        byte[] buf = new byte[1 << 16];
        while (true) {
            List<ByteBuffer> chunk = next();
            if (chunk == null) {
                return copied;
            }
            for (ByteBuffer b : chunk) {
                while (b.hasRemaining()) {
                    int n = Math.min(buf.length, b.remaining());
                    if (copied + n > limit) {
                        close();
                        throw new IOException("the body is longer than the " + limit + " bytes expected");
                    }
                    b.get(buf, 0, n);
                    out.write(buf, 0, n);
                    copied += n;
                }
            }
            progress.accept(copied);
        }
    }

    /** The next chunk, null at the end. */
    private List<ByteBuffer> next() throws IOException {
        if (finished) {
            return null;
        }
        Object o;
        try {
            o = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted");
        }
        if (o == null) {
            close();
            throw new Stalled(timeout);
        }
        if (o == END) {
            finished = true;
            return null;
        }
        if (o instanceof Throwable t) {
            finished = true;
            throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
        }
        @SuppressWarnings("unchecked")
        List<ByteBuffer> chunk = (List<ByteBuffer>) o;
        subscription.request(1);
        return chunk;
    }

    /** Stops the transfer (the connection is given up). */
    @Override
    public void close() {
        finished = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
