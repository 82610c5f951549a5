package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Reads batches out of one segment's Chronicle queue: finds the excerpt holding an offset through the
 * {@link OffsetIndex} (or continues where a pooled tailer stopped), walks excerpts forward checking that each batch
 * continues the previous one, and never goes past the end offset it is given (a seal's end, or the log end
 * snapshot for the active segment), so excerpts hidden by a seal or not yet published are never returned.
 *
 * <p>Thread-safe: each call borrows its own tailer from the {@link TailerPool}. The owning segment must stay open
 * (referenced) during a call.
 */
final class SegmentReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SegmentReader.class);
    private static final long ANY_TAILER = -2;

    private final Path dir;
    private final OffsetIndex index;
    private final RollCycle rollCycle;
    private final TailerPool tailers;

    SegmentReader(Path dir, OffsetIndex index, RollCycle rollCycle, TailerPool tailers) {
        this.dir = dir;
        this.index = index;
        this.rollCycle = rollCycle;
        this.tailers = tailers;
    }

    /** Receives batches from {@link #scan}; returns false to stop. */
    @FunctionalInterface
    interface BatchVisitor {
        boolean visit(Bytes<?> bytes, long position, int length, long baseOffset, long nextOffset);
    }

    /**
     * Copies whole batches into the cursor's buffer: the one containing {@code offset}, then the following ones
     * below {@code end} while the cursor's total stays within {@code maxBytes} (see {@link ReadCursor#fits}). The
     * buffer, if the cursor has none yet, is sized from {@code segmentBytes} (the segment's size when the read began)
     * less the bytes before the first batch. The tailer stays on the first batch that does not fit, for the read
     * that continues from there.
     */
    void read(ReadCursor cursor, long offset, long end, long segmentBytes, int maxBytes, ByteBufAllocator alloc) {
        if (offset >= end) {
            return;
        }
        TailerPool.Reader reader = tailers.borrow(offset);
        try {
            if (reader.nextOffset != offset) {
                position(reader, offset);
            }
            long expected = reader.nextOffset;
            reader.nextOffset = -1;
            while (expected < end) {
                try (DocumentContext dc = reader.tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    long pos = b.readPosition();
                    int len = (int) b.readRemaining();
                    long batchBase = ExcerptBytes.longAt(b, pos);
                    if (batchBase != expected) {
                        log.warn("Segment {} holds batch {} where {} was expected; reading stops there", dir,
                                batchBase, expected);
                        reader.nextOffset = -1;   // the tailer went past that excerpt: its position is unknown
                        return;
                    }
                    long next = batchBase + ExcerptBytes.intAt(b, pos + RecordBatch.LAST_OFFSET_DELTA_OFFSET) + 1L;
                    if (next > offset) {
                        if (!cursor.fits(len, maxBytes)) {
                            dc.rollbackOnClose();   // the tailer stays on this batch for the next read
                            reader.nextOffset = batchBase;
                            cursor.full = true;
                            return;
                        }
                        ExcerptBytes.copyOut(b, pos, len,
                                cursor.out(alloc, segmentBytes - reader.bytesBefore, maxBytes));
                        cursor.add(batchBase, next, len);
                    }
                    expected = next;
                    reader.nextOffset = next;
                    reader.bytesBefore += len;
                    if (cursor.bytes >= maxBytes) {
                        cursor.full = true;
                        return;
                    }
                }
            }
        } finally {
            tailers.giveBack(reader);
        }
    }

    /** Moves the reader's tailer to the indexed batch at or before {@code offset}. */
    private void position(TailerPool.Reader reader, long offset) {
        int slot = Math.max(0, index.floorSlot(offset));
        if (index.entries() == 0 || !moveTo(reader.tailer, index.chronicleIndex(slot))) {
            reader.nextOffset = -1;
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "segment " + dir + " cannot position at offset "
                    + offset + " (index entries " + index.entries() + ")");
        }
        reader.nextOffset = index.offset(slot);
        reader.bytesBefore = index.position(slot);
    }

    /**
     * Moves {@code tailer} to the excerpt of Chronicle index {@code at}. The first excerpt of a cycle (where every
     * segment and most reads from a segment's start begin) is found from the cycle's start, without Chronicle's
     * index lookup, which costs several thread-local lookups per store and thread: with thousands of segments read
     * by one thread, more than the read itself.
     */
    private boolean moveTo(ExcerptTailer tailer, long at) {
        return rollCycle.toSequenceNumber(at) == 0 ? tailer.moveToCycle(rollCycle.toCycle(at)) : tailer.moveToIndex(at);
    }

    /** Visits the batches below {@code end} from the one of index entry {@code slot} on, while the visitor agrees. */
    void scan(int slot, long end, BatchVisitor visitor) {
        if (index.entries() == 0) {
            return;
        }
        TailerPool.Reader reader = tailers.borrow(ANY_TAILER);
        try {
            reader.nextOffset = -1;
            if (!moveTo(reader.tailer, index.chronicleIndex(slot))) {
                return;
            }
            long expected = index.offset(slot);
            while (expected < end) {
                try (DocumentContext dc = reader.tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    long pos = b.readPosition();
                    if (ExcerptBytes.longAt(b, pos) != expected) {
                        return;
                    }
                    long next = expected + ExcerptBytes.intAt(b, pos + RecordBatch.LAST_OFFSET_DELTA_OFFSET) + 1L;
                    if (!visitor.visit(b, pos, (int) b.readRemaining(), expected, next)) {
                        return;
                    }
                    expected = next;
                }
            }
        } finally {
            tailers.giveBack(reader);
        }
    }

    /** Offset of the first record below {@code end} stamped at or after {@code timestamp}, or -1 if none. */
    long offsetForTimestamp(long timestamp, long end) {
        if (index.entries() == 0) {
            return -1;
        }
        long[] found = {-1};
        scan(Math.max(0, index.slotBeforeTimestamp(timestamp)), end, (b, pos, len, base, next) -> {
            if (ExcerptBytes.longAt(b, pos + RecordBatch.MAX_TIMESTAMP_OFFSET) < timestamp) {
                return true;
            }
            ByteBuf copy = Unpooled.buffer(len);
            try {
                ExcerptBytes.copyOut(b, pos, len, copy);
                long[] first = {-1};
                new RecordBatch().wrap(copy, 0).forEachRecord(new Record(), r -> {
                    if (first[0] < 0 && r.timestamp() >= timestamp) {
                        first[0] = r.offset();
                    }
                });
                found[0] = first[0] >= 0 ? first[0] : base;
            } finally {
                copy.release();
            }
            return false;
        });
        return found[0];
    }

    /**
     * The extent of the batches that end at or before {@code truncateAt}: {end offset, bytes, max timestamp}
     * (the max timestamp is {@link Long#MIN_VALUE} if there are none).
     */
    long[] extentBefore(long truncateAt, long end) {
        long[] acc = {-1, 0, Long.MIN_VALUE};
        int slot = index.floorSlot(truncateAt);
        if (slot < 0) {
            return acc;
        }
        acc[0] = index.offset(slot);
        acc[1] = index.position(slot);
        acc[2] = index.maxTimestampBefore(slot);
        scan(slot, end, (b, pos, len, base, next) -> {
            if (next > truncateAt) {
                return false;
            }
            acc[0] = next;
            acc[1] += len;
            acc[2] = Math.max(acc[2], ExcerptBytes.longAt(b, pos + RecordBatch.MAX_TIMESTAMP_OFFSET));
            return true;
        });
        return acc;
    }

    @Override
    public void close() {
        tailers.close();
    }
}
