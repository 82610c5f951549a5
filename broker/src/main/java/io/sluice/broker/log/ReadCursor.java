package io.sluice.broker.log;

/**
 * Progress of one {@link PartitionLog#read} across segments: the batches copied so far and whether the byte budget
 * is spent. Used by one thread for one read.
 */
final class ReadCursor {
    /** Whether the first batch is taken whatever its size. */
    final boolean minOneBatch;
    long firstOffset = -1;
    long nextOffset = -1;
    int batches;
    int bytes;
    boolean full;

    ReadCursor(boolean minOneBatch) {
        this.minOneBatch = minOneBatch;
    }

    /** Whether a batch of {@code length} bytes fits next within {@code maxBytes}. */
    boolean fits(int length, int maxBytes) {
        return batches == 0 && minOneBatch || (long) bytes + length <= maxBytes;
    }

    void add(long baseOffset, long next, int length) {
        if (batches == 0) {
            firstOffset = baseOffset;
        }
        nextOffset = next;
        batches++;
        bytes += length;
    }
}
