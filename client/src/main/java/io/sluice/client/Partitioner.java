package io.sluice.client;

import io.sluice.client.internals.HashPartitioner;
import io.sluice.client.internals.RoundRobinPartitioner;

/**
 * Chooses the partition of a record that names none. Called on the thread that calls {@link Producer#send};
 * implementations must be thread-safe and fast.
 *
 * <p>Returning {@link #ANY} lets the producer choose: it keeps sending to one partition until that partition's
 * batch is full or sent, then moves on (sticky partitioning), which gives full batches with few requests.
 */
@FunctionalInterface
public interface Partitioner {
    /** Returned to let the producer pick the partition (sticky per batch). */
    int ANY = -1;

    /**
     * The partition for a record.
     *
     * @param topic          the record's topic
     * @param keyBytes       the serialized key, or null for a keyless record
     * @param partitionCount the topic's partition count, at least 1
     * @return a partition in {@code [0, partitionCount)}, or {@link #ANY}
     */
    int partition(String topic, byte[] keyBytes, int partitionCount);

    /**
     * The default: a keyed record goes to {@code murmur2(keyBytes) mod partitionCount} (stable across producers and
     * restarts, the same hash Kafka uses), a keyless record to {@link #ANY} (sticky).
     */
    static Partitioner hashing() {
        return HashPartitioner.INSTANCE;
    }

    /** Every record, keyed or not, to the next partition in turn, per topic. Smaller batches than sticky. */
    static Partitioner roundRobin() {
        return new RoundRobinPartitioner();
    }
}
