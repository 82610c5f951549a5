package io.sluice.broker.partition;

/**
 * Whether this broker may act on the leadership the registry last gave it. Held while its ZooKeeper connection is
 * sound; suspended the moment the connection drops (before the server can expire the session and the controller can
 * elect another leader), restored only once the broker has re-read the partition states after reconnecting. While it
 * is not held no partition led here acknowledges an acks=all write or moves its high watermark.
 *
 * <p>Each suspension starts a new generation, so a restore prepared before a newer suspension is refused.
 * Thread-safe.
 */
public final class LeaderLease {
    private volatile boolean held = true;
    private long generation;

    public boolean held() {
        return held;
    }

    /** The current generation (changes on every suspension). */
    public synchronized long generation() {
        return generation;
    }

    /** From now on {@link #held()} is false; returns the new generation. */
    public synchronized long suspend() {
        held = false;
        return ++generation;
    }

    /** Holds the lease again unless it was suspended after {@code seenGeneration} was read; true if it holds. */
    public synchronized boolean restore(long seenGeneration) {
        if (generation != seenGeneration) {
            return false;
        }
        held = true;
        return true;
    }
}
