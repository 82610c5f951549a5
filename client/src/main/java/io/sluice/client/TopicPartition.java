package io.sluice.client;

import io.sluice.remoting.PartitionHash;

import java.util.Objects;

/**
 * One partition of a topic. Immutable and thread-safe.
 *
 * @param topic     the topic name
 * @param partition the partition number, from 0
 */
public record TopicPartition(String topic, int partition) {
    public TopicPartition {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
    }

    @Override
    public int hashCode() {
        return PartitionHash.of(topic, partition);
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
