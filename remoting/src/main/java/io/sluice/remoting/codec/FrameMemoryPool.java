package io.sluice.remoting.codec;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntConsumer;

/**
 * The memory for frames that arrive in pieces, shared by the connections of one server (Kafka's
 * {@code MemoryPool}). Before buffering such a frame, a connection reserves its whole length here; when the
 * reservation does not fit, the connection stops reading and waits ({@link #acquireOrWait}) instead of buffering.
 * Released bytes go to the waiters in arrival order, skipping those that do not fit yet, so a small frame is not
 * held up behind a huge one.
 *
 * <p>Frames larger than an eighth of the pool ("large") together hold at most half of it (but one of them is
 * always admitted when no other large frame is held): a few connections that send huge frames slowly cannot take
 * the memory every other connection needs. Thread-safe.
 */
public final class FrameMemoryPool {
    private static final FrameMemoryPool UNBOUNDED = new FrameMemoryPool(Long.MAX_VALUE);

    private final long capacity;
    private final long largeFrame;
    private final long largeCapacity;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private long used;
    private long usedLarge;

    public FrameMemoryPool(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.largeFrame = capacity / 8;
        this.largeCapacity = capacity / 2;
    }

    /** A pool that grants everything at once (clients: the answers they receive are bounded by what they ask). */
    public static FrameMemoryPool unbounded() {
        return UNBOUNDED;
    }

    /** A wait for memory, see {@link #acquireOrWait}. */
    public static final class Waiter {
        private final int bytes;
        private final Executor executor;
        private final IntConsumer onGranted;

        private Waiter(int bytes, Executor executor, IntConsumer onGranted) {
            this.bytes = bytes;
            this.executor = executor;
            this.onGranted = onGranted;
        }
    }

    /** Reserves {@code bytes} if they fit now. */
    public boolean tryAcquire(int bytes) {
        if (this == UNBOUNDED) {
            return true;
        }
        synchronized (this) {
            if (!waiters.isEmpty() && bytes > largeFrame || !fits(bytes)) {
                return false; // a large frame queues behind the waiters; a small one may pass them
            }
            take(bytes);
            return true;
        }
    }

    /**
     * Reserves {@code bytes} now and returns null, or returns a {@link Waiter}: once the bytes are reserved for it,
     * {@code onGranted} is run on {@code executor} with the byte count (the caller then owns them and must
     * {@link #release} them, even if it no longer needs them).
     */
    public Waiter acquireOrWait(int bytes, Executor executor, IntConsumer onGranted) {
        if (tryAcquire(bytes)) {
            return null;
        }
        Waiter waiter = new Waiter(bytes, executor, onGranted);
        synchronized (this) {
            waiters.add(waiter);
        }
        grantWaiters(); // memory may have been released in between
        return waiter;
    }

    /** Withdraws a wait; false if the bytes were already granted (its callback runs, or ran). */
    public synchronized boolean cancel(Waiter waiter) {
        return waiters.remove(waiter);
    }

    public void release(int bytes) {
        if (this == UNBOUNDED || bytes == 0) {
            return;
        }
        synchronized (this) {
            used -= bytes;
            if (bytes > largeFrame) {
                usedLarge -= bytes;
            }
        }
        grantWaiters();
    }

    /** Bytes reserved now. */
    public synchronized long used() {
        return used;
    }

    public long capacity() {
        return capacity;
    }

    public synchronized int waiting() {
        return waiters.size();
    }

    private boolean fits(int bytes) {
        if (used + bytes > capacity) {
            return false;
        }
        return bytes <= largeFrame || usedLarge == 0 || usedLarge + bytes <= largeCapacity;
    }

    private void take(int bytes) {
        used += bytes;
        if (bytes > largeFrame) {
            usedLarge += bytes;
        }
    }

    private void grantWaiters() {
        while (true) {
            Waiter granted = null;
            synchronized (this) {
                for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (fits(w.bytes)) {
                        it.remove();
                        take(w.bytes);
                        granted = w;
                        break;
                    }
                }
            }
            if (granted == null) {
                return;
            }
            Waiter w = granted;
            try {
                w.executor.execute(() -> w.onGranted.accept(w.bytes));
            } catch (RejectedExecutionException e) {
                release(w.bytes); // its event loop is shutting down
            }
        }
    }
}
