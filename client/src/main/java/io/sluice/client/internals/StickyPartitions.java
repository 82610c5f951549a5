package io.sluice.client.internals;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The current "sticky" partition of each topic for keyless records: all of them go to one partition until its
 * batch is full or sent, then the next partition with a live leader takes over, in turn. The first choice per topic
 * is random so that many producers spread out. Thread-safe.
 */
final class StickyPartitions {
    private final ConcurrentHashMap<String, AtomicInteger> current = new ConcurrentHashMap<>();

    /** The sticky partition of {@code topic}. */
    public int partition(String topic, TopicRoutes routes) {
        AtomicInteger cur = current.get(topic);
        if (cur == null) {
            cur = current.computeIfAbsent(topic, t -> new AtomicInteger(pickFirst(routes)));
        }
        int p = cur.get();
        if (p >= routes.partitionCount() || routes.leader(p) == null && routes.availablePartitions().length > 0) {
            return next(topic, routes, p);
        }
        return p;
    }

    /**
     * Moves {@code topic} off {@code previous} to the next available partition and returns the partition now
     * current (another thread may have moved it already).
     */
    public int next(String topic, TopicRoutes routes, int previous) {
        AtomicInteger cur = current.computeIfAbsent(topic, t -> new AtomicInteger(previous));
        int chosen = after(routes, previous);
        if (cur.compareAndSet(previous, chosen)) {
            return chosen;
        }
        int now = cur.get();
        return now < routes.partitionCount() ? now : chosen;
    }

    private static int pickFirst(TopicRoutes routes) {
        int[] available = routes.availablePartitions();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (available.length > 0) {
            return available[random.nextInt(available.length)];
        }
        return random.nextInt(Math.max(1, routes.partitionCount()));
    }

    /** The next partition after {@code previous} with a live leader, wrapping around; any partition if none. */
    static int after(TopicRoutes routes, int previous) {
        int count = Math.max(1, routes.partitionCount());
        int[] available = routes.availablePartitions();
        if (available.length == 0) {
            return (previous + 1) % count;
        }
        for (int p : available) {
            if (p > previous) {
                return p;
            }
        }
        return available[0];
    }
}
