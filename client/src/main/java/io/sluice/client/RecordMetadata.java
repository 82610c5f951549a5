package io.sluice.client;

/**
 * Where an acknowledged record landed. Immutable.
 *
 * @param topic     the topic
 * @param partition the partition
 * @param offset    the record's offset in the partition, or -1 when sent with {@code acks=0} (no answer is awaited)
 * @param timestamp the record's timestamp (ms since the epoch)
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp) {
}
