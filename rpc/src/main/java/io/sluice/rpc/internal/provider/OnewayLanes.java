package io.sluice.rpc.internal.provider;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the oneway calls of each connection one after another, in the order they arrived, on the business pool: a
 * caller's fire-and-forget calls take effect in the order it made them, as they were written in that order on its
 * one connection (the pool alone would run them on several threads at once). Calls of different connections, and
 * two-way calls, still run in parallel.
 *
 * <p>A connection's calls wait in its lane, which holds one task in the pool while it has calls: the task runs up
 * to {@value #TURN} calls, then queues itself again, so that one busy connection does not keep a thread from the
 * others. A lane without calls is removed. The calls waiting in all lanes are bounded: past the limit
 * {@link #submit} refuses (the caller drops the call as PROVIDER_BUSY, as when the pool is full).
 *
 * <p>Thread-safe. Submissions of one connection come from its I/O thread, one at a time; a lane's calls run on one
 * pool thread at a time.
 */
public final class OnewayLanes {
    private static final Logger LOG = LoggerFactory.getLogger(OnewayLanes.class);
    /** Calls a lane runs before it lets other work have the thread. */
    static final int TURN = 64;

    private final Executor pool;
    private final int maxWaiting;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ConcurrentHashMap<Object, Lane> lanes = new ConcurrentHashMap<>();

    /** {@code maxWaiting}: oneway calls that may wait for their turn, over all connections. */
    public OnewayLanes(Executor pool, int maxWaiting) {
        this.pool = pool;
        this.maxWaiting = maxWaiting;
    }

    /**
     * Queues {@code call} behind the earlier oneway calls of {@code connection}. False, with nothing queued, if
     * too many calls wait or the pool refuses a new lane.
     */
    public boolean submit(Object connection, Runnable call) {
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            return false;
        }
        Lane[] created = new Lane[1];
        lanes.compute(connection, (key, lane) -> {
            Lane target = lane;
            if (target == null) {
                target = new Lane(key);
                created[0] = target;
            }
            target.calls.add(call);
            return target;
        });
        if (created[0] != null) {
            try {
                pool.execute(created[0]);
            } catch (RejectedExecutionException e) {
                // the lane is new and its connection submits one call at a time: this call is its only one
                lanes.remove(connection, created[0]);
                waiting.decrementAndGet();
                return false;
            }
        }
        return true;
    }

    /** Oneway calls waiting for their turn, over all connections. */
    public int waiting() {
        return waiting.get();
    }

    /** Connections with oneway calls waiting or running. */
    int lanes() {
        return lanes.size();
    }

    /** The calls of one connection and the pool task that runs them. */
    private final class Lane implements Runnable {
        private final Object key;
        private final ConcurrentLinkedQueue<Runnable> calls = new ConcurrentLinkedQueue<>();

        Lane(Object key) {
            this.key = key;
        }

        @Override
        public void run() {
            while (true) {
                for (int i = 0; i < TURN; i++) {
                    Runnable call = calls.poll();
                    if (call == null) {
                        if (retire()) {
                            return;
                        }
                        continue; // a call came in between the poll and the retire
                    }
                    waiting.decrementAndGet();
                    runOne(call);
                }
                try {
                    pool.execute(this); // let other work have this thread; the lane goes on later
                    return;
                } catch (RejectedExecutionException e) {
                    // the pool is full or shutting down: go on here
                }
            }
        }

        /** Removes this lane if it has no call; atomic with {@link #submit} adding one. */
        private boolean retire() {
            boolean[] retired = new boolean[1];
            lanes.compute(key, (k, lane) -> {
                if (lane != this || calls.isEmpty()) {
                    retired[0] = true; // (not ours: cannot happen while this lane runs; stop rather than spin)
                    return lane == this ? null : lane;
                }
                return lane;
            });
            return retired[0];
        }

        private void runOne(Runnable call) {
            try {
                call.run();
            } catch (Throwable t) { // a ProviderCall answers its own failures; this is a last resort
                LOG.warn("oneway call from {} failed: {}", key, t.toString());
            }
        }
    }
}
