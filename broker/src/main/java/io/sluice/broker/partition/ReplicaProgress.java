package io.sluice.broker.partition;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a leader knows of each follower of one partition: its log end (the offset of its last fetch), when it was
 * last caught up, and when it last fetched. "Caught up at time t" follows Kafka: a fetch at or past the leader's
 * log end as of the follower's previous fetch means the follower was caught up at the time of that previous fetch,
 * so a follower that keeps pace under steady load counts as caught up even though it never quite reaches the end.
 *
 * <p>Thread-safe: each follower's entry is updated under its own lock; readers see a consistent entry.
 */
public final class ReplicaProgress {
    /** Log end of a follower not heard from since this broker became leader. */
    public static final long UNKNOWN = -1;

    private final Map<Integer, Entry> followers = new ConcurrentHashMap<>();

    private static final class Entry {
        long logEnd = UNKNOWN;
        long lastCaughtUpMs;
        long lastFetchMs;
        long leaderEndAtLastFetch = Long.MAX_VALUE;
    }

    /** Starts afresh for {@code replicas} (minus {@code self}); every follower counts as caught up at {@code nowMs}. */
    void reset(List<Integer> replicas, int self, long nowMs) {
        followers.clear();
        for (int r : replicas) {
            if (r != self) {
                Entry e = new Entry();
                e.lastCaughtUpMs = nowMs;
                followers.put(r, e);
            }
        }
    }

    /** Records a fetch; returns true if the follower's log end moved. Unknown replicas are ignored. */
    boolean update(int replica, long fetchOffset, long leaderLogEnd, long nowMs) {
        Entry e = followers.get(replica);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            boolean moved = fetchOffset != e.logEnd;
            if (fetchOffset >= leaderLogEnd) {
                e.lastCaughtUpMs = nowMs;
            } else if (fetchOffset >= e.leaderEndAtLastFetch) {
                e.lastCaughtUpMs = Math.max(e.lastCaughtUpMs, e.lastFetchMs);
            }
            e.logEnd = fetchOffset;
            e.leaderEndAtLastFetch = leaderLogEnd;
            e.lastFetchMs = nowMs;
            return moved;
        }
    }

    /** The follower's log end, or {@link #UNKNOWN}. */
    public long logEnd(int replica) {
        Entry e = followers.get(replica);
        if (e == null) {
            return UNKNOWN;
        }
        synchronized (e) {
            return e.logEnd;
        }
    }

    /** When the follower was last caught up (0 for an unknown replica). */
    public long lastCaughtUpMs(int replica) {
        Entry e = followers.get(replica);
        if (e == null) {
            return 0;
        }
        synchronized (e) {
            return e.lastCaughtUpMs;
        }
    }
}
