package io.sluice.client.internals;

import io.sluice.client.Partitioner;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Sends each record to the next partition of its topic in turn, ignoring keys. Thread-safe. */
public final class RoundRobinPartitioner implements Partitioner {
    private final ConcurrentHashMap<String, AtomicInteger> counters = new ConcurrentHashMap<>();

    @Override
    public int partition(String topic, byte[] keyBytes, int partitionCount) {
        AtomicInteger counter = counters.get(topic);
        if (counter == null) {
            counter = counters.computeIfAbsent(topic, t -> new AtomicInteger());
        }
        return (counter.getAndIncrement() & 0x7fffffff) % partitionCount;
    }
}
