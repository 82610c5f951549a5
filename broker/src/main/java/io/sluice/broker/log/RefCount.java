package io.sluice.broker.log;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference count that starts at one (the owner's) and, once it reaches zero, stays there: a late
 * {@link #retain()} fails instead of resurrecting what was closed. Thread-safe, lock-free.
 */
final class RefCount {
    private final AtomicInteger count = new AtomicInteger(1);

    /** Takes a reference; false if the count already reached zero. */
    boolean retain() {
        for (; ; ) {
            int n = count.get();
            if (n <= 0) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; true for the one that brought the count to zero (its caller closes). */
    boolean release() {
        return count.decrementAndGet() == 0;
    }

    /**
     * Takes all {@code holders} references at once if they are the only ones (true), so that no {@link #retain()}
     * can succeed afterwards; checking the count and then releasing would let one retain in between.
     */
    boolean claimIfOnly(int holders) {
        return count.compareAndSet(holders, 0);
    }

    /** True while any reference is held. */
    boolean held() {
        return count.get() > 0;
    }
}
