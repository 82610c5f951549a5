package io.sluice.client;

/**
 * The answer of {@link Consumer#offsetsForTimes}: the first offset whose timestamp is at or after the one asked
 * for, and that record's timestamp. Immutable.
 *
 * @param offset    the offset
 * @param timestamp the timestamp of the record at that offset
 */
public record OffsetAndTimestamp(long offset, long timestamp) {
}
