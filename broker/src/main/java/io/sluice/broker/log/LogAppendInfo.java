package io.sluice.broker.log;

/**
 * What one append did: the offsets given to its records, when it happened (by the log's clock), how many records
 * and bytes it added. An append of zero batches has {@code lastOffset == baseOffset - 1}. Immutable.
 */
public record LogAppendInfo(long baseOffset, long lastOffset, long appendTimeMs, int recordCount, int sizeInBytes) {
    /** The log end offset after this append. */
    public long nextOffset() {
        return lastOffset + 1;
    }
}
