package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.record.RecordBatch;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Walks a segment's excerpts to find where its valid data ends, rebuilding the offset index on the way. Every
 * excerpt must be one whole batch whose header is consistent and whose base offset continues the previous batch;
 * from {@code checkCrcFrom} on, its checksum is verified too. The walk stops at the first excerpt that fails (a
 * torn or corrupt tail), at the end of the queue (Chronicle never shows an excerpt whose writer died before
 * completing it), or at {@code stopAt}. Stateless; the caller owns the segment exclusively while it runs.
 */
final class SegmentRecovery {
    /** Where the walk ended and what the valid batches hold. {@code clean} is false if it stopped at bad data. */
    record Result(long endOffset, long sizeInBytes, long maxTimestamp, long bytesSinceIndexEntry, int batches,
                  boolean clean) {
    }

    private SegmentRecovery() {
    }

    /**
     * Scans from index entry {@code resumeSlot} (trusting the entries before it and rebuilding the rest), or from
     * the segment start, rebuilding the whole index, if {@code resumeSlot} is negative.
     */
    static Result scan(SingleChronicleQueue queue, OffsetIndex index, long baseOffset, int indexIntervalBytes,
                       long checkCrcFrom, long stopAt, int resumeSlot) {
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        ByteBuf scratch = null;
        try {
            long expected = baseOffset;
            long size = 0;
            long maxTs = Long.MIN_VALUE;
            boolean resumed = false;
            if (resumeSlot >= 0 && resumeSlot < index.entries()) {
                int slot = resumeSlot;
                if (tailer.moveToIndex(index.chronicleIndex(slot))) {
                    expected = index.offset(slot);
                    size = index.position(slot);
                    maxTs = index.maxTimestampBefore(slot);
                    index.truncateToEntries(slot);
                    resumed = true;
                }
            }
            if (!resumed) {
                index.truncateToEntries(0);
                tailer.toStart();
            }
            boolean forceEntry = true;
            long sinceEntry = 0;
            int batches = 0;
            boolean clean = true;
            while (expected < stopAt) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    long pos = b.readPosition();
                    long len = b.readRemaining();
                    if (!wellFormed(b, pos, len) || ExcerptBytes.longAt(b, pos) != expected) {
                        clean = false;
                        break;
                    }
                    if (expected >= checkCrcFrom) {
                        if (scratch == null) {
                            scratch = Unpooled.directBuffer((int) len);
                        }
                        scratch.clear();
                        ExcerptBytes.copyOut(b, pos, (int) len, scratch);
                        if (!new RecordBatch().wrap(scratch, 0).isValid((int) len)) {
                            clean = false;
                            break;
                        }
                    }
                    if (forceEntry || sinceEntry >= indexIntervalBytes) {
                        index.append(expected, dc.index(), size, maxTs);
                        sinceEntry = 0;
                        forceEntry = false;
                    }
                    sinceEntry += len;
                    size += len;
                    maxTs = Math.max(maxTs, ExcerptBytes.longAt(b, pos + RecordBatch.MAX_TIMESTAMP_OFFSET));
                    expected += ExcerptBytes.intAt(b, pos + RecordBatch.LAST_OFFSET_DELTA_OFFSET) + 1L;
                    batches++;
                }
            }
            return new Result(expected, size, maxTs, sinceEntry, batches, clean);
        } finally {
            if (scratch != null) {
                scratch.release();
            }
            tailer.close();
        }
    }

    /** The excerpt holds exactly one batch whose header is self-consistent (checksum not checked). */
    static boolean wellFormed(Bytes<?> b, long pos, long len) {
        if (len < RecordBatch.HEADER_SIZE || len > Integer.MAX_VALUE) {
            return false;
        }
        int batchLength = ExcerptBytes.intAt(b, pos + RecordBatch.BATCH_LENGTH_OFFSET);
        if ((long) batchLength + RecordBatch.LOG_OVERHEAD != len) {
            return false;
        }
        if (b.readByte(pos + RecordBatch.MAGIC_OFFSET) != RecordBatch.MAGIC) {
            return false;
        }
        int count = ExcerptBytes.intAt(b, pos + RecordBatch.RECORD_COUNT_OFFSET);
        int lastDelta = ExcerptBytes.intAt(b, pos + RecordBatch.LAST_OFFSET_DELTA_OFFSET);
        return count >= 1 && lastDelta == count - 1 && ExcerptBytes.longAt(b, pos) >= 0;
    }
}
