package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.remoting.record.RecordBatch;

/**
 * Progress of one {@link PartitionLog#read} across segments: the batches copied so far, the buffer they are copied
 * into (allocated with the first of them) and whether the byte budget is spent. Used by one thread for one read.
 */
final class ReadCursor {
    private static final int MAX_INITIAL_CAPACITY = 4 << 20;

    /** Whether the first batch is taken whatever its size. */
    final boolean minOneBatch;
    long firstOffset = -1;
    long nextOffset = -1;
    int batches;
    int bytes;
    boolean full;
    /** Where batches are copied; null until the first one. */
    ByteBuf out;

    ReadCursor(boolean minOneBatch) {
        this.minOneBatch = minOneBatch;
    }

    /** Whether a batch of {@code length} bytes fits next within {@code maxBytes}. */
    boolean fits(int length, int maxBytes) {
        return batches == 0 && minOneBatch || (long) bytes + length <= maxBytes;
    }

    /**
     * The buffer to copy the next batch into: allocated on first use for {@code available} bytes (what the segment
     * holds from this batch on, an upper bound) within the budget, so it rarely grows and rarely holds much more
     * than it is sent with.
     */
    ByteBuf out(ByteBufAllocator alloc, long available, int maxBytes) {
        if (out == null) {
            long want = Math.min(Math.max(available, RecordBatch.HEADER_SIZE),
                    Math.max((long) maxBytes - bytes, RecordBatch.HEADER_SIZE));
            out = alloc.directBuffer((int) Math.min(want, MAX_INITIAL_CAPACITY));
        }
        return out;
    }

    void releaseOut() {
        if (out != null) {
            out.release();
            out = null;
        }
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
