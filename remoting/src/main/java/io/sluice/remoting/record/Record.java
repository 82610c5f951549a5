package io.sluice.remoting.record;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * A flyweight view over one record inside a {@link RecordBatch}.
 *
 * <pre>
 * size field
 * 4    length          bytes after this field
 * 1    attributes      reserved, 0
 * 4    timestampDelta  ms after the batch's baseTimestamp
 * 4    offsetDelta     offset after the batch's baseOffset
 * 4    keyLength       -1 for a null key
 * ..   key
 * 4    valueLength     -1 for a null value
 * ..   value
 * 2    headerCount
 * ..   headers         each: 2 keyLength, key (UTF-8), 4 valueLength (-1 null), value
 * </pre>
 * Not thread-safe; re-pointed by {@link RecordBatch#forEachRecord}.
 */
public final class Record {
    /** Bytes a record takes besides its key, value and headers. */
    public static final int OVERHEAD = 4 + 1 + 4 + 4 + 4 + 4 + 2;

    private ByteBuf buf;
    private int start;
    private long baseOffset;
    private long baseTimestamp;

    Record wrap(ByteBuf buffer, int offset, long batchBaseOffset, long batchBaseTimestamp) {
        this.buf = buffer;
        this.start = offset;
        this.baseOffset = batchBaseOffset;
        this.baseTimestamp = batchBaseTimestamp;
        return this;
    }

    public int sizeInBytes() {
        return 4 + buf.getInt(start);
    }

    public long offset() {
        return baseOffset + buf.getInt(start + 9);
    }

    public long timestamp() {
        return baseTimestamp + buf.getInt(start + 5);
    }

    private int keyLengthIndex() {
        return start + 13;
    }

    /** Length of the key, -1 if null. */
    public int keyLength() {
        return buf.getInt(keyLengthIndex());
    }

    /** Index in the buffer where the key bytes start. */
    public int keyIndex() {
        return keyLengthIndex() + 4;
    }

    private int valueLengthIndex() {
        return keyIndex() + Math.max(0, keyLength());
    }

    /** Length of the value, -1 if null. */
    public int valueLength() {
        return buf.getInt(valueLengthIndex());
    }

    /** Index in the buffer where the value bytes start. */
    public int valueIndex() {
        return valueLengthIndex() + 4;
    }

    public ByteBuf buffer() {
        return buf;
    }

    /** A copy of the key, or null. */
    public byte[] key() {
        return copy(keyIndex(), keyLength());
    }

    /** A copy of the value, or null. */
    public byte[] value() {
        return copy(valueIndex(), valueLength());
    }

    private int headersIndex() {
        return valueIndex() + Math.max(0, valueLength());
    }

    public int headerCount() {
        return buf.getShort(headersIndex());
    }

    /** Visits the headers in order; values are copies (null stays null). */
    public void forEachHeader(HeaderVisitor visitor) {
        int pos = headersIndex();
        int count = buf.getShort(pos);
        pos += 2;
        for (int i = 0; i < count; i++) {
            int keyLen = buf.getShort(pos);
            String key = buf.toString(pos + 2, keyLen, StandardCharsets.UTF_8);
            pos += 2 + keyLen;
            int valueLen = buf.getInt(pos);
            byte[] value = copy(pos + 4, valueLen);
            pos += 4 + Math.max(0, valueLen);
            visitor.onHeader(key, value);
        }
    }

    private byte[] copy(int index, int length) {
        if (length < 0) {
            return null;
        }
        byte[] out = new byte[length];
        buf.getBytes(index, out);
        return out;
    }

    /** Receives headers from {@link #forEachHeader(HeaderVisitor)}. */
    @FunctionalInterface
    public interface HeaderVisitor {
        void onHeader(String key, byte[] value);
    }
}
