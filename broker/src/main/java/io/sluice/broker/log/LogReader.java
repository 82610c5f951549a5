package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.remoting.record.RecordBatch;

/**
 * The read path of a partition log across segments: from the segment holding the first offset on, as long as the
 * byte budget and the offset limit allow, into one buffer from the caller's allocator, sized from what the
 * segment's index says is there. Stateless; thread-safe (segments are referenced while read).
 */
final class LogReader {
    private static final int MAX_INITIAL_CAPACITY = 4 << 20;

    private LogReader() {
    }

    /**
     * Reads whole batches from the one holding {@code offset} up to {@code limit} into a new buffer and returns it
     * (possibly empty), or null if no segment holds {@code offset} any more (retention got there first).
     */
    static ByteBuf read(LogSegments segments, ReadCursor cursor, long offset, long limit, int maxBytes,
                        ByteBufAllocator alloc) {
        ByteBuf out = null;
        long pos = offset;
        try {
            while (!cursor.full && pos < limit) {
                LogSegment segment = segments.retainFloor(pos);
                if (segment == null) {
                    break;
                }
                try {
                    if (out == null) {
                        out = alloc.directBuffer(initialCapacity(segment.bytesFrom(pos), maxBytes));
                    }
                    segment.read(cursor, pos, limit, maxBytes, out);
                    long segmentEnd = segment.endOffset();
                    long reached = cursor.batches > 0 ? cursor.nextOffset : pos;
                    if (reached < segmentEnd || segmentEnd <= pos) {
                        break;
                    }
                    pos = segmentEnd;
                } finally {
                    segment.release();
                }
            }
        } catch (RuntimeException | Error e) {
            if (out != null) {
                out.release();
            }
            throw e;
        }
        return out;
    }

    private static int initialCapacity(long available, int maxBytes) {
        long want = Math.min(Math.max(available, RecordBatch.HEADER_SIZE), Math.max(maxBytes, RecordBatch.HEADER_SIZE));
        return (int) Math.min(want, MAX_INITIAL_CAPACITY);
    }
}
