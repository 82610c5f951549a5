package io.sluice.broker.partition;

import java.util.ArrayList;
import java.util.List;

/**
 * Fetches waiting on one partition for data to arrive (long polling). A fetch parks here when nothing is
 * readable; an append wakes every parked fetch, and each fetch's own timer answers it when its max wait passes.
 * Thread-safe.
 */
public final class ParkedFetches {
    private final List<Runnable> waiters = new ArrayList<>();

    /** Parks a wake-up action; it runs at most once, on the next append. */
    public synchronized void park(Runnable onData) {
        waiters.add(onData);
    }

    public synchronized int size() {
        return waiters.size();
    }

    /** Runs and forgets every parked action. */
    public void wakeAll() {
        Runnable[] toWake;
        synchronized (this) {
            if (waiters.isEmpty()) {
                return;
            }
            toWake = waiters.toArray(new Runnable[0]);
            waiters.clear();
        }
        for (Runnable r : toWake) {
            r.run();
        }
    }

    /** Forgets a parked action (its fetch was answered by its timer). */
    public synchronized void remove(Runnable onData) {
        waiters.remove(onData);
    }
}
