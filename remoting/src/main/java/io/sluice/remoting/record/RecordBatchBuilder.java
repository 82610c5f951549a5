package io.sluice.remoting.record;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes one {@link RecordBatch} into a buffer: construct, {@link #append} records, then {@link #close()} to fill in
 * the header and checksum. The builder writes at the buffer's writer index and leaves it after the batch.
 * Not thread-safe.
 */
public final class RecordBatchBuilder {
    private final ByteBuf buf;
    private final int start;
    private final long baseTimestamp;
    private long maxTimestamp;
    private int count;
    private boolean closed;

    public RecordBatchBuilder(ByteBuf buffer, long baseTimestamp) {
        this.buf = buffer;
        this.start = buffer.writerIndex();
        this.baseTimestamp = baseTimestamp;
        this.maxTimestamp = baseTimestamp;
        buffer.writeZero(RecordBatch.HEADER_SIZE);
    }

    /** Size a record with these parts takes inside a batch. */
    public static int recordSize(int keyLength, int valueLength, int headersSize) {
        return Record.OVERHEAD + Math.max(0, keyLength) + Math.max(0, valueLength) + headersSize;
    }

    /** Size the headers take in a record. */
    public static int headersSize(String[] keys, byte[][] values) {
        int size = 0;
        if (keys != null) {
            for (int i = 0; i < keys.length; i++) {
                size += 2 + utf8Length(keys[i]) + 4 + (values[i] == null ? 0 : values[i].length);
            }
        }
        return size;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Bytes written so far, header included. */
    public int sizeInBytes() {
        return buf.writerIndex() - start;
    }

    public int recordCount() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public long baseTimestamp() {
        return baseTimestamp;
    }

    /** Appends a record without headers; returns its offset delta within the batch. */
    public int append(long timestamp, byte[] key, byte[] value) {
        return append(timestamp, key, value, null, null);
    }

    /**
     * Appends a record; returns its offset delta within the batch. {@code headerKeys} and {@code headerValues}
     * are parallel arrays (both null for no headers).
     */
    public int append(long timestamp, byte[] key, byte[] value, String[] headerKeys, byte[][] headerValues) {
        if (closed) {
            throw new IllegalStateException("batch already closed");
        }
        long delta = timestamp - baseTimestamp;
        if (delta < Integer.MIN_VALUE || delta > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("record timestamp " + timestamp + " too far from batch base "
                    + baseTimestamp);
        }
        int lengthIndex = buf.writerIndex();
        buf.writeInt(0);
        buf.writeByte(0);
        buf.writeInt((int) delta);
        buf.writeInt(count);
        writeBytes(key);
        writeBytes(value);
        int headers = headerKeys == null ? 0 : headerKeys.length;
        buf.writeShort(headers);
        for (int i = 0; i < headers; i++) {
            byte[] k = headerKeys[i].getBytes(StandardCharsets.UTF_8);
            buf.writeShort(k.length);
            buf.writeBytes(k);
            writeBytes(headerValues[i]);
        }
        buf.setInt(lengthIndex, buf.writerIndex() - lengthIndex - 4);
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
        }
        return count++;
    }

    private void writeBytes(byte[] bytes) {
        if (bytes == null) {
            buf.writeInt(-1);
        } else {
            buf.writeInt(bytes.length);
            buf.writeBytes(bytes);
        }
    }

    /** Fills in the header and checksum. The batch occupies [start, writerIndex) of the buffer. */
    public void close() {
        if (closed) {
            return;
        }
        if (count == 0) {
            throw new IllegalStateException("a batch needs at least one record");
        }
        closed = true;
        int size = sizeInBytes();
        buf.setLong(start + RecordBatch.BASE_OFFSET_OFFSET, 0L);
        buf.setInt(start + RecordBatch.BATCH_LENGTH_OFFSET, size - RecordBatch.LOG_OVERHEAD);
        buf.setInt(start + RecordBatch.LEADER_EPOCH_OFFSET, -1);
        buf.setByte(start + RecordBatch.MAGIC_OFFSET, RecordBatch.MAGIC);
        buf.setShort(start + RecordBatch.ATTRIBUTES_OFFSET, 0);
        buf.setInt(start + RecordBatch.LAST_OFFSET_DELTA_OFFSET, count - 1);
        buf.setLong(start + RecordBatch.BASE_TIMESTAMP_OFFSET, baseTimestamp);
        buf.setLong(start + RecordBatch.MAX_TIMESTAMP_OFFSET, maxTimestamp);
        buf.setInt(start + RecordBatch.RECORD_COUNT_OFFSET, count);
        int crc = RecordBatch.computeCrc(buf, start + RecordBatch.ATTRIBUTES_OFFSET, size - RecordBatch.ATTRIBUTES_OFFSET);
        buf.setInt(start + RecordBatch.CRC_OFFSET, crc);
    }

    /** Index of the batch's first byte in the buffer. */
    public int start() {
        return start;
    }
}
