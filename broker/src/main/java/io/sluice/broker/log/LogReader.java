package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The read path of a partition log across segments: from the segment holding the first offset on, as long as the
 * byte budget and the offset limit allow, into one buffer from the caller's allocator, allocated when the first
 * batch is found and sized from what the segment holds after it. Stateless; thread-safe (segments are referenced
 * while read).
 */
final class LogReader {
    private LogReader() {
    }

    /**
     * Reads whole batches from the one holding {@code offset} up to {@code limit} and returns them (an empty buffer
     * if none was taken), or null if no segment holds {@code offset} any more (retention got there first).
     */
    static ByteBuf read(LogSegments segments, ReadCursor cursor, long offset, long limit, int maxBytes,
                        ByteBufAllocator alloc) {
        long pos = offset;
        boolean found = false;
        try {
            while (!cursor.full && pos < limit) {
                LogSegment segment = segments.retainFloor(pos);
                if (segment == null) {
                    break;
                }
                found = true;
                try {
                    segment.read(cursor, pos, limit, maxBytes, alloc);
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
            cursor.releaseOut();
            throw e;
        }
        if (cursor.out != null) {
            return cursor.out;
        }
        return found || pos >= limit ? Unpooled.EMPTY_BUFFER : null;
    }
}
