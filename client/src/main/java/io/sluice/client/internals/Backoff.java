package io.sluice.client.internals;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Exponential backoff with jitter: the n-th retry waits {@code initial * 2^(n-1)}, capped at {@code max}, give or
 * take 20% so that many clients do not retry in lockstep. Immutable and thread-safe.
 */
final class Backoff {
    private final long initialNs;
    private final long maxNs;

    public Backoff(long initialMs, long maxMs) {
        this.initialNs = TimeUnit.MILLISECONDS.toNanos(Math.max(1, initialMs));
        this.maxNs = Math.max(initialNs, TimeUnit.MILLISECONDS.toNanos(maxMs));
    }

    /** The pause before retry number {@code attempt} (1 for the first retry). */
    public long delayNs(int attempt) {
        int shift = Math.min(Math.max(attempt, 1) - 1, 30);
        long base = initialNs << shift;
        if (base <= 0 || base > maxNs) {
            base = maxNs;
        }
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return (long) (base * jitter);
    }

    public long initialNs() {
        return initialNs;
    }
}
