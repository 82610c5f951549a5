package io.sluice.remoting.transport;

import io.sluice.remoting.codec.FrameMemoryPool;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the connections of one server hold together, with its bounds: requests read and not yet answered
 * ({@link TransportConfig#maxQueuedRequests()}), answers produced and not yet written
 * ({@link TransportConfig#maxUnwrittenBytes()}) and frames being received ({@link #frames()}, a
 * {@link FrameMemoryPool} of {@link TransportConfig#frameMemoryBytes()}).
 *
 * <p>When requests or answers are over their bound, a connection that holds more than its share of that bound
 * (the bound divided by the open connections) stops being read until the server is under it again
 * ({@link #overShare}, {@link #awaitRelief}); connections that hold little go on, so a few abusive clients cannot
 * stop everyone else. The total can therefore pass a bound by at most the bound again (every connection just
 * under its share). Thread-safe.
 */
final class ServerBudget {
    private final int maxQueued;
    private final long maxUnwritten;
    private final FrameMemoryPool frames;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong unwritten = new AtomicLong();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger paused = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();

    ServerBudget(TransportConfig config) {
        this.maxQueued = config.maxQueuedRequests();
        this.maxUnwritten = config.maxUnwrittenBytes();
        this.frames = new FrameMemoryPool(config.frameMemoryBytes());
    }

    FrameMemoryPool frames() {
        return frames;
    }

    /** Connections of this server whose reading is paused (see {@link ReadGate}). */
    AtomicInteger paused() {
        return paused;
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
        wakeIfRelieved();
    }

    void requestsQueued(int count) {
        queued.addAndGet(count);
    }

    void requestsAnswered(int count) {
        if (count > 0 && queued.addAndGet(-count) < maxQueued) {
            wakeIfRelieved();
        }
    }

    void answersQueued(long bytes) {
        unwritten.addAndGet(bytes);
    }

    void answersWritten(long bytes) {
        if (unwritten.addAndGet(-bytes) < maxUnwritten) {
            wakeIfRelieved();
        }
    }

    /** True if the server is over a bound and a connection holding this much holds more than its share of it. */
    boolean overShare(int connectionQueued, long connectionUnwritten) {
        int n = Math.max(1, connections.get());
        return queued.get() >= maxQueued && connectionQueued > maxQueued / n
                || unwritten.get() >= maxUnwritten && connectionUnwritten > maxUnwritten / n;
    }

    /** Runs {@code wake} (on any thread) once the server is under its bounds again. */
    void awaitRelief(Runnable wake) {
        waiters.add(wake);
        wakeIfRelieved(); // it may have been relieved in between
    }

    private void wakeIfRelieved() {
        if (waiters.isEmpty() || queued.get() >= maxQueued || unwritten.get() >= maxUnwritten) {
            return;
        }
        Runnable wake;
        while ((wake = waiters.poll()) != null) {
            wake.run();
        }
    }

    int queuedRequests() {
        return queued.get();
    }

    long unwrittenBytes() {
        return unwritten.get();
    }
}
