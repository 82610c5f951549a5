package io.sluice.remoting.record;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A flyweight view over one record batch in a {@link ByteBuf}: the unit producers send, brokers store and
 * replicate, and consumers fetch. The same bytes travel the whole way; the broker only writes
 * {@code baseOffset} and {@code leaderEpoch}, which the checksum does not cover.
 *
 * <pre>
 * offset size field
 *  0     8    baseOffset       offset of the first record (assigned by the partition leader; producers write 0)
 *  8     4    batchLength      bytes after this field (the batch is 12 + batchLength bytes)
 * 12     4    leaderEpoch      epoch of the leader that appended it (assigned by the leader)
 * 16     1    magic            format version, {@value #MAGIC}
 * 17     4    crc              CRC-32C of bytes [21, end)
 * 21     2    attributes       bits 0-2: compression (0 = none); other bits reserved, 0
 * 23     4    lastOffsetDelta  recordCount - 1
 * 27     8    baseTimestamp    ms since the epoch; records store their delta to it
 * 35     8    maxTimestamp     largest record timestamp
 * 43     4    recordCount
 * 47     ..   records          recordCount records, layout in {@link Record}
 * </pre>
 * All integers are big-endian. The view does not own the buffer and never changes its reader/writer indexes.
 * Not thread-safe; one view per thread, re-pointed with {@link #wrap(ByteBuf, int)}.
 */
public final class RecordBatch {
    public static final byte MAGIC = 1;

    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int BATCH_LENGTH_OFFSET = 8;
    public static final int LEADER_EPOCH_OFFSET = 12;
    public static final int MAGIC_OFFSET = 16;
    public static final int CRC_OFFSET = 17;
    public static final int ATTRIBUTES_OFFSET = 21;
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    public static final int BASE_TIMESTAMP_OFFSET = 27;
    public static final int MAX_TIMESTAMP_OFFSET = 35;
    public static final int RECORD_COUNT_OFFSET = 43;
    public static final int RECORDS_OFFSET = 47;
    /** Size of the batch header; also the size of a batch with no records. */
    public static final int HEADER_SIZE = RECORDS_OFFSET;
    /** Bytes before and including batchLength; the batch size is this plus batchLength. */
    public static final int LOG_OVERHEAD = 12;

    private ByteBuf buf;
    private int start;

    /** Points this view at the batch starting at {@code offset} of {@code buffer}. */
    public RecordBatch wrap(ByteBuf buffer, int offset) {
        this.buf = buffer;
        this.start = offset;
        return this;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int start() {
        return start;
    }

    public long baseOffset() {
        return buf.getLong(start + BASE_OFFSET_OFFSET);
    }

    public void baseOffset(long offset) {
        buf.setLong(start + BASE_OFFSET_OFFSET, offset);
    }

    /** Offset of the last record: baseOffset + lastOffsetDelta. */
    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    /** Offset after the last record. */
    public long nextOffset() {
        return lastOffset() + 1;
    }

    public int batchLength() {
        return buf.getInt(start + BATCH_LENGTH_OFFSET);
    }

    /** Whole size of the batch in bytes, header included. */
    public int sizeInBytes() {
        return LOG_OVERHEAD + batchLength();
    }

    public int leaderEpoch() {
        return buf.getInt(start + LEADER_EPOCH_OFFSET);
    }

    public void leaderEpoch(int epoch) {
        buf.setInt(start + LEADER_EPOCH_OFFSET, epoch);
    }

    public byte magic() {
        return buf.getByte(start + MAGIC_OFFSET);
    }

    public int crc() {
        return buf.getInt(start + CRC_OFFSET);
    }

    public short attributes() {
        return buf.getShort(start + ATTRIBUTES_OFFSET);
    }

    public int lastOffsetDelta() {
        return buf.getInt(start + LAST_OFFSET_DELTA_OFFSET);
    }

    public long baseTimestamp() {
        return buf.getLong(start + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buf.getLong(start + MAX_TIMESTAMP_OFFSET);
    }

    public int recordCount() {
        return buf.getInt(start + RECORD_COUNT_OFFSET);
    }

    /** CRC-32C of bytes [21, end) of the batch, computed now. */
    public int computeCrc() {
        return computeCrc(buf, start + ATTRIBUTES_OFFSET, sizeInBytes() - ATTRIBUTES_OFFSET);
    }

    static int computeCrc(ByteBuf buf, int from, int length) {
        CRC32C crc = new CRC32C();
        if (buf.nioBufferCount() == 1) {
            ByteBuffer nio = buf.nioBuffer(from, length);
            crc.update(nio);
        } else {
            for (ByteBuffer nio : buf.nioBuffers(from, length)) {
                crc.update(nio);
            }
        }
        return (int) crc.getValue();
    }

    /**
     * Checks that the batch is whole and sound: it fits in {@code available} bytes, has the known magic, a
     * consistent record count, a matching checksum, and records that lie within the batch with consistent lengths
     * and offset deltas (so reading them never leaves the batch). Throws {@link ErrorCode#CORRUPT_RECORD} naming the
     * problem otherwise.
     */
    public void validate(int available) {
        if (available < HEADER_SIZE) {
            throw corrupt("batch shorter than its " + HEADER_SIZE + "-byte header (" + available + " bytes)");
        }
        int length = batchLength();
        if (length < HEADER_SIZE - LOG_OVERHEAD || (long) length + LOG_OVERHEAD > available) {
            throw corrupt("batch length " + length + " does not fit the " + available + " bytes available");
        }
        if (magic() != MAGIC) {
            throw corrupt("unknown batch magic " + magic() + " (expected " + MAGIC + ")");
        }
        int count = recordCount();
        if (count < 1 || lastOffsetDelta() != count - 1) {
            throw corrupt("record count " + count + " does not match last offset delta " + lastOffsetDelta());
        }
        if ((attributes() & 0x7) != 0) {
            throw corrupt("unsupported compression " + (attributes() & 0x7));
        }
        int expected = crc();
        int actual = computeCrc();
        if (expected != actual) {
            throw corrupt("checksum mismatch: stored " + Integer.toHexString(expected) + ", computed "
                    + Integer.toHexString(actual));
        }
        validateRecords(count);
    }

    /**
     * Walks the records and checks that each lies inside the batch with consistent lengths and offset deltas, so a
     * batch whose checksum was computed over a bad structure cannot send a reader outside the batch.
     */
    private void validateRecords(int count) {
        int pos = start + RECORDS_OFFSET;
        int end = start + sizeInBytes();
        for (int i = 0; i < count; i++) {
            if (end - pos < Record.OVERHEAD) {
                throw corrupt("record " + i + " of " + count + " is cut off by the end of the batch");
            }
            int length = buf.getInt(pos);
            if (length < Record.OVERHEAD - 4 || length > end - pos - 4) {
                throw corrupt("record " + i + " has length " + length + " which does not fit the batch");
            }
            int recordEnd = pos + 4 + length;
            if (buf.getInt(pos + 9) != i) {
                throw corrupt("record " + i + " has offset delta " + buf.getInt(pos + 9));
            }
            int cursor = skipBytesField(pos + 13, recordEnd, i, "key");
            cursor = skipBytesField(cursor, recordEnd, i, "value");
            if (recordEnd - cursor < 2) {
                throw corrupt("record " + i + " has no room for its header count");
            }
            int headers = buf.getShort(cursor);
            cursor += 2;
            if (headers < 0) {
                throw corrupt("record " + i + " has a negative header count " + headers);
            }
            for (int h = 0; h < headers; h++) {
                if (recordEnd - cursor < 2) {
                    throw corrupt("header " + h + " of record " + i + " is cut off");
                }
                int keyLength = buf.getShort(cursor);
                if (keyLength < 0 || keyLength > recordEnd - cursor - 2) {
                    throw corrupt("header " + h + " of record " + i + " has key length " + keyLength);
                }
                cursor = skipBytesField(cursor + 2 + keyLength, recordEnd, i, "header value");
            }
            if (cursor != recordEnd) {
                throw corrupt("record " + i + " has " + (recordEnd - cursor) + " stray bytes after its headers");
            }
            pos = recordEnd;
        }
        if (pos != end) {
            throw corrupt((end - pos) + " stray bytes after the last of " + count + " records");
        }
    }

    /** Skips a length-prefixed byte field (-1 = null) that must end by {@code limit}; returns the index after it. */
    private int skipBytesField(int index, int limit, int record, String what) {
        if (limit - index < 4) {
            throw corrupt("record " + record + " has no room for its " + what + " length");
        }
        int length = buf.getInt(index);
        if (length < -1 || length > limit - index - 4) {
            throw corrupt("record " + record + " has " + what + " length " + length + " which does not fit");
        }
        return index + 4 + Math.max(0, length);
    }

    /** True if {@link #validate(int)} would pass. */
    public boolean isValid(int available) {
        try {
            validate(available);
            return true;
        } catch (SluiceException e) {
            return false;
        }
    }

    private static SluiceException corrupt(String message) {
        return new SluiceException(ErrorCode.CORRUPT_RECORD, message);
    }

    /**
     * Visits every record of the batch in order. The {@link Record} view passed to the visitor is reused between
     * calls; copy what must outlive the call.
     */
    public void forEachRecord(Record view, RecordVisitor visitor) {
        int pos = start + RECORDS_OFFSET;
        int end = start + sizeInBytes();
        long base = baseOffset();
        long baseTs = baseTimestamp();
        int count = recordCount();
        for (int i = 0; i < count && pos < end; i++) {
            view.wrap(buf, pos, base, baseTs);
            visitor.onRecord(view);
            pos += view.sizeInBytes();
        }
    }

    /** Receives records from {@link #forEachRecord(Record, RecordVisitor)}. */
    @FunctionalInterface
    public interface RecordVisitor {
        void onRecord(Record record);
    }
}
