package io.sluice.broker.log;

/**
 * Progress of one {@link PartitionLog#read} across segments: the batches copied so far and whether the byte budget
 * is spent. Used by one thread for one read.
 */
final class ReadCursor {
    long firstOffset = -1;
    long nextOffset = -1;
    int batches;
    int bytes;
    boolean full;

    void add(long baseOffset, long next, int length) {
        if (batches == 0) {
            firstOffset = baseOffset;
        }
        nextOffset = next;
        batches++;
        bytes += length;
    }
}
