package io.sluice.client;

import java.util.List;

/**
 * A record read from a partition. Immutable (the key and value objects are whatever the deserializers made).
 *
 * @param topic     the topic
 * @param partition the partition
 * @param offset    the record's offset
 * @param timestamp the record's timestamp (ms since the epoch)
 * @param key       the deserialized key, may be null
 * @param value     the deserialized value, may be null
 * @param headers   the headers, never null
 */
public record ConsumerRecord<K, V>(String topic, int partition, long offset, long timestamp, K key, V value,
                                   List<Header> headers) {
}
