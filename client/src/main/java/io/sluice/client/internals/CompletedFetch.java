package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.util.ResourceLeakDetector;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.Deserializer;
import io.sluice.client.Header;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.transport.Response;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The answer to one fetch, holding the payload (zero or more whole record batches) until every batch is decoded.
 * Batches are decoded one at a time, when the application needs more records, skipping records below the
 * position (the first batch may start before the offset asked for). Not thread-safe; owned by the consumer thread.
 * {@link #close()} releases the payload.
 */
final class CompletedFetch {
    /**
     * Decode a copy of each batch only while Netty tracks buffer accesses (leak detection ADVANCED or PARANOID, as in
     * tests), where every read of the network buffer records a stack trace; otherwise decode in place.
     */
    static final boolean COPY_BATCHES =
            ResourceLeakDetector.getLevel().ordinal() >= ResourceLeakDetector.Level.ADVANCED.ordinal();

    private final TopicPartition tp;
    private final Response response;
    private final ByteBuf payload;
    private final int end;
    private final boolean checkCrcs;
    private final boolean copyBatches;
    private final RecordBatch batch = new RecordBatch();
    private int cursor;
    private boolean closed;

    CompletedFetch(TopicPartition tp, Response response, boolean checkCrcs) {
        this(tp, response, checkCrcs, COPY_BATCHES);
    }

    CompletedFetch(TopicPartition tp, Response response, boolean checkCrcs, boolean copyBatches) {
        this.copyBatches = copyBatches;
        this.tp = tp;
        this.response = response;
        this.payload = response.payload();
        this.cursor = payload.readerIndex();
        this.end = payload.writerIndex();
        this.checkCrcs = checkCrcs;
    }

    /**
     * The offset after the last whole batch of the payload, or -1 if it holds none. A trailing partial batch is
     * ignored (and never decoded).
     */
    long nextOffsetAfterData() {
        long next = -1;
        int pos = cursor;
        while (end - pos >= RecordBatch.HEADER_SIZE) {
            batch.wrap(payload, pos);
            int size = batch.sizeInBytes();
            if (size < RecordBatch.HEADER_SIZE || size > end - pos) {
                break;
            }
            next = batch.nextOffset();
            pos += size;
        }
        return next;
    }

    /**
     * Decodes the next batch holding records at or after {@code position}: returns them (never empty), or null when
     * no batch is left. On a bad record (deserialization) returns the records before it, or throws if there are
     * none; the batch is then decoded again next time. A corrupt batch throws {@code CORRUPT_RECORD}.
     */
    <K, V> List<ConsumerRecord<K, V>> nextRecords(long position, RecordDecoder<K, V> decoder) {
        while (!closed && end - cursor >= RecordBatch.HEADER_SIZE) {
            batch.wrap(payload, cursor);
            int size = batch.sizeInBytes();
            if (size < RecordBatch.HEADER_SIZE || size > end - cursor) {
                break;
            }
            if (batch.nextOffset() <= position) {
                cursor += size;
                continue;
            }
            ByteBuffer bytes = copyBatches || payload.nioBufferCount() != 1 ? decoder.copy(payload, cursor, size)
                    : payload.nioBuffer(cursor, size);
            check(bytes, size);
            List<ConsumerRecord<K, V>> records = new ArrayList<>(Math.min(bytes.getInt(bytes.position()
                    + RecordBatch.RECORD_COUNT_OFFSET), size / Record.OVERHEAD));
            SluiceException failure = decoder.decode(tp, bytes, position, records);
            if (failure != null) {
                if (records.isEmpty()) {
                    throw failure;
                }
                return records;
            }
            cursor += size;
            if (!records.isEmpty()) {
                return records;
            }
        }
        return null;
    }

    /**
     * Checks the batch header and, with {@code checkCrcs}, the checksum. The records themselves are not walked
     * here: decoding walks them anyway and reports one that runs past the batch as CORRUPT_RECORD.
     */
    private void check(ByteBuffer b, int size) {
        int base = b.position();
        int count = b.getInt(base + RecordBatch.RECORD_COUNT_OFFSET);
        int lastOffsetDelta = b.getInt(base + RecordBatch.LAST_OFFSET_DELTA_OFFSET);
        short attributes = b.getShort(base + RecordBatch.ATTRIBUTES_OFFSET);
        String problem = null;
        if (b.get(base + RecordBatch.MAGIC_OFFSET) != RecordBatch.MAGIC) {
            problem = "unknown batch magic " + b.get(base + RecordBatch.MAGIC_OFFSET);
        } else if (count < 1 || lastOffsetDelta != count - 1) {
            problem = "record count " + count + " does not match last offset delta " + lastOffsetDelta;
        } else if ((attributes & 0x7) != 0) {
            problem = "unsupported compression " + (attributes & 0x7);
        } else if (checkCrcs) {
            int stored = b.getInt(base + RecordBatch.CRC_OFFSET);
            int computed = crc(b, base + RecordBatch.ATTRIBUTES_OFFSET, size - RecordBatch.ATTRIBUTES_OFFSET);
            if (stored != computed) {
                problem = "checksum mismatch: stored " + Integer.toHexString(stored) + ", computed "
                        + Integer.toHexString(computed);
            }
        }
        if (problem != null) {
            throw new SluiceException(ErrorCode.CORRUPT_RECORD, tp + " batch at offset "
                    + b.getLong(base + RecordBatch.BASE_OFFSET_OFFSET) + " (" + size + " bytes): " + problem);
        }
    }

    private static int crc(ByteBuffer b, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(from + length).position(from));
        return (int) crc.getValue();
    }

    /** True when no whole batch is left to decode (the payload can be released). */
    boolean isExhausted() {
        if (closed || end - cursor < RecordBatch.HEADER_SIZE) {
            return true;
        }
        int size = batch.wrap(payload, cursor).sizeInBytes();
        return size < RecordBatch.HEADER_SIZE || size > end - cursor;
    }

    /** Bytes of payload this fetch holds until it is closed. */
    int sizeInBytes() {
        return closed ? 0 : end - payload.readerIndex();
    }

    void close() {
        if (!closed) {
            closed = true;
            response.close();
        }
    }

    /**
     * Turns the records of a batch into {@link ConsumerRecord}s with the application's deserializers. Reads the batch
     * through a {@link ByteBuffer} view (absolute big-endian reads, each field once, bulk copies of keys and values),
     * so the per-record path does not go through the network buffer's wrappers. One per consumer; not thread-safe.
     */
    static final class RecordDecoder<K, V> {
        private static final int MIN_SCRATCH_BYTES = 64 * 1024;
        /** Offsets of the record fields after the 4-byte length, see {@link Record}. */
        private static final int TIMESTAMP_DELTA = 5;
        private static final int OFFSET_DELTA = 9;
        private static final int KEY_LENGTH = 13;

        private final Deserializer<K> keyDeserializer;
        private final Deserializer<V> valueDeserializer;
        private byte[] scratch = new byte[0];

        RecordDecoder(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
            this.keyDeserializer = keyDeserializer;
            this.valueDeserializer = valueDeserializer;
        }

        /**
         * A copy of the batch at {@code index} of {@code from}, in a scratch array reused batch after batch: for a
         * payload in several pieces, and while Netty tracks buffer accesses (paranoid leak detection, as in tests).
         */
        ByteBuffer copy(ByteBuf from, int index, int size) {
            if (scratch.length < size) {
                scratch = new byte[Math.max(size, MIN_SCRATCH_BYTES)];
            }
            from.getBytes(index, scratch, 0, size);
            return ByteBuffer.wrap(scratch, 0, size).slice();
        }

        /**
         * Appends the records at or after {@code from} of the batch that fills {@code batch} (from its position to its
         * limit) to {@code into}; returns the first failure, if any. A record whose fields run past it, or past the
         * batch, is CORRUPT_RECORD (and nothing of the batch is returned).
         */
        SluiceException decode(TopicPartition tp, ByteBuffer batch, long from, List<ConsumerRecord<K, V>> into) {
            ByteBuffer b = batch.order() == ByteOrder.BIG_ENDIAN ? batch
                    : batch.duplicate().order(ByteOrder.BIG_ENDIAN);
            int base = b.position();
            int end = b.limit();
            long baseOffset = b.getLong(base + RecordBatch.BASE_OFFSET_OFFSET);
            long baseTimestamp = b.getLong(base + RecordBatch.BASE_TIMESTAMP_OFFSET);
            int count = b.getInt(base + RecordBatch.RECORD_COUNT_OFFSET);
            String topic = tp.topic();
            int partition = tp.partition();
            int pos = base + RecordBatch.RECORDS_OFFSET;
            int added = 0;
            try {
                for (int i = 0; i < count && pos < end; i++) {
                    if (end - pos < Record.OVERHEAD) {
                        throw new IndexOutOfBoundsException("record " + i + " is cut off by the end of the batch");
                    }
                    int recordEnd = pos + 4 + b.getInt(pos);
                    if (recordEnd < pos + Record.OVERHEAD || recordEnd > end) {
                        throw new IndexOutOfBoundsException("record " + i + " has length " + b.getInt(pos));
                    }
                    long offset = baseOffset + b.getInt(pos + OFFSET_DELTA);
                    if (offset < from) {
                        pos = recordEnd;
                        continue;
                    }
                    long timestamp = baseTimestamp + b.getInt(pos + TIMESTAMP_DELTA);
                    int keyLength = b.getInt(pos + KEY_LENGTH);
                    int field = pos + KEY_LENGTH + 4;
                    byte[] keyBytes = bytes(b, field, keyLength, recordEnd - 4);
                    field += Math.max(0, keyLength);
                    int valueLength = b.getInt(field);
                    field += 4;
                    byte[] valueBytes = bytes(b, field, valueLength, recordEnd - 2);
                    field += Math.max(0, valueLength);
                    int headerCount = b.getShort(field);
                    List<Header> headers = headerCount == 0 ? List.of()
                            : headers(b, field + 2, headerCount, recordEnd);
                    K key;
                    V value;
                    try {
                        key = keyDeserializer.deserialize(keyBytes);
                        value = valueDeserializer.deserialize(valueBytes);
                    } catch (RuntimeException e) {
                        return new SluiceException(ErrorCode.SERIALIZATION_ERROR, "could not deserialize the record "
                                + "at " + tp + " offset " + offset + ": " + e.getMessage() + "; seek past it to go on",
                                e);
                    }
                    into.add(new ConsumerRecord<>(topic, partition, offset, timestamp, key, value, headers));
                    added++;
                    pos = recordEnd;
                }
            } catch (IndexOutOfBoundsException e) {
                into.subList(into.size() - added, into.size()).clear();
                return new SluiceException(ErrorCode.CORRUPT_RECORD, tp + " batch at offset " + baseOffset
                        + " has a record that runs past its end: " + e.getMessage());
            }
            return null;
        }

        /** A copy of {@code length} bytes at {@code index} (null for -1) that must end by {@code limit}. */
        private static byte[] bytes(ByteBuffer b, int index, int length, int limit) {
            if (length < 0) {
                if (length != -1) {
                    throw new IndexOutOfBoundsException("negative field length " + length + " at " + index);
                }
                return null;
            }
            if (length > limit - index) {
                throw new IndexOutOfBoundsException("field of " + length + " bytes at " + index + " runs past "
                        + limit);
            }
            byte[] out = new byte[length];
            b.get(index, out, 0, length);
            return out;
        }

        /** The {@code count} headers from {@code index}, which must end exactly at {@code recordEnd}. */
        private static List<Header> headers(ByteBuffer b, int index, int count, int recordEnd) {
            if (count < 0) {
                throw new IndexOutOfBoundsException("negative header count " + count);
            }
            Header[] headers = new Header[count];
            int pos = index;
            for (int h = 0; h < count; h++) {
                if (recordEnd - pos < 2) {
                    throw new IndexOutOfBoundsException("header " + h + " is cut off");
                }
                byte[] key = bytes(b, pos + 2, b.getShort(pos), recordEnd);
                pos += 2 + key.length;
                if (recordEnd - pos < 4) {
                    throw new IndexOutOfBoundsException("header " + h + " value length is cut off");
                }
                int valueLength = b.getInt(pos);
                byte[] value = bytes(b, pos + 4, valueLength, recordEnd);
                pos += 4 + Math.max(0, valueLength);
                headers[h] = new Header(new String(key, StandardCharsets.UTF_8), value);
            }
            return List.of(headers);
        }
    }
}
