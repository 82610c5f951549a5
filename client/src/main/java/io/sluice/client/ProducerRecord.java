package io.sluice.client;

import java.util.List;
import java.util.Objects;

/**
 * A record to send: the topic, optionally a partition, a key, a value, optionally a timestamp, and headers.
 * Immutable and thread-safe.
 *
 * <p>Partition choice: an explicit {@code partition} is honored (a partition the topic does not have fails the
 * send with {@code UNKNOWN_PARTITION}); otherwise the producer's {@link Partitioner} decides — by default a keyed
 * record goes to {@code murmur2(keyBytes) mod partitions}, so one key always lands on one partition, and keyless
 * records stick to one partition per batch.
 *
 * @param topic     the topic, not null
 * @param partition the partition, or null to let the partitioner choose
 * @param key       the key, may be null
 * @param value     the value, may be null
 * @param timestamp ms since the epoch, or null for the time of {@code send}
 * @param headers   the headers, never null (empty when none)
 */
public record ProducerRecord<K, V>(String topic, Integer partition, K key, V value, Long timestamp,
                                   List<Header> headers) {
    public ProducerRecord {
        Objects.requireNonNull(topic, "topic");
        if (partition != null && partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
        if (timestamp != null && timestamp < 0) {
            throw new IllegalArgumentException("timestamp must be >= 0: " + timestamp);
        }
        headers = headers == null || headers.isEmpty() ? List.of() : List.copyOf(headers);
    }

    /** A keyless record. */
    public ProducerRecord(String topic, V value) {
        this(topic, null, null, value, null, null);
    }

    /** A keyed record; the partitioner picks the partition from the key. */
    public ProducerRecord(String topic, K key, V value) {
        this(topic, null, key, value, null, null);
    }

    /** A record for an explicit partition (null to let the partitioner choose). */
    public ProducerRecord(String topic, Integer partition, K key, V value) {
        this(topic, partition, key, value, null, null);
    }
}
