package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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

import java.util.ArrayList;
import java.util.List;

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
            RecordBatch copy = copyBatches ? decoder.copy(payload, cursor, size)
                    : decoder.view(payload.slice(cursor, size));
            check(copy, size);
            List<ConsumerRecord<K, V>> records = new ArrayList<>(Math.min(copy.recordCount(), size / Record.OVERHEAD));
            SluiceException failure = decoder.decode(tp, copy, position, records);
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
    private void check(RecordBatch batch, int size) {
        int count = batch.recordCount();
        String problem = null;
        if (batch.magic() != RecordBatch.MAGIC) {
            problem = "unknown batch magic " + batch.magic();
        } else if (count < 1 || batch.lastOffsetDelta() != count - 1) {
            problem = "record count " + count + " does not match last offset delta " + batch.lastOffsetDelta();
        } else if ((batch.attributes() & 0x7) != 0) {
            problem = "unsupported compression " + (batch.attributes() & 0x7);
        } else if (checkCrcs && batch.crc() != batch.computeCrc()) {
            problem = "checksum mismatch: stored " + Integer.toHexString(batch.crc()) + ", computed "
                    + Integer.toHexString(batch.computeCrc());
        }
        if (problem != null) {
            throw new SluiceException(ErrorCode.CORRUPT_RECORD, tp + " batch at offset " + batch.baseOffset()
                    + " (" + size + " bytes): " + problem);
        }
    }

    void close() {
        if (!closed) {
            closed = true;
            response.close();
        }
    }

    /**
     * Turns the records of a batch into {@link ConsumerRecord}s with the application's deserializers. One per
     * consumer; not thread-safe.
     */
    static final class RecordDecoder<K, V> implements RecordBatch.RecordVisitor {
        private static final int MIN_SCRATCH_BYTES = 64 * 1024;

        private final Deserializer<K> keyDeserializer;
        private final Deserializer<V> valueDeserializer;
        private final Record view = new Record();
        private final RecordBatch copyView = new RecordBatch();
        private byte[] scratch = new byte[0];
        private ByteBuf scratchBuffer;
        private TopicPartition tp;
        private long position;
        private List<ConsumerRecord<K, V>> out;
        private SluiceException failure;

        RecordDecoder(Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
            this.keyDeserializer = keyDeserializer;
            this.valueDeserializer = valueDeserializer;
        }

        /**
         * A view over a copy of the batch at {@code index} of {@code from}, in a scratch array reused batch after
         * batch: reading the copy keeps per-access work on the network buffer (paranoid leak tracking) off the
         * per-record path, for the cost of one copy per batch.
         */
        RecordBatch copy(ByteBuf from, int index, int size) {
            if (scratch.length < size) {
                scratch = new byte[Math.max(size, MIN_SCRATCH_BYTES)];
                scratchBuffer = Unpooled.wrappedBuffer(scratch);
            }
            from.getBytes(index, scratch, 0, size);
            return view(scratchBuffer.slice(0, size));
        }

        /** A view over a buffer holding exactly one batch, so that no read can leave the batch. */
        RecordBatch view(ByteBuf oneBatch) {
            return copyView.wrap(oneBatch, 0);
        }

        /** Appends the batch's records at or after {@code from} to {@code into}; returns the first failure, if any. */
        SluiceException decode(TopicPartition partition, RecordBatch batch, long from, List<ConsumerRecord<K, V>> into) {
            this.tp = partition;
            this.position = from;
            this.out = into;
            this.failure = null;
            try {
                batch.forEachRecord(view, this);
            } catch (StopDecoding stop) {
                // failure is set
            } catch (IndexOutOfBoundsException e) {
                into.clear();
                failure = new SluiceException(ErrorCode.CORRUPT_RECORD, partition + " batch at offset "
                        + batch.baseOffset() + " has a record that runs past the batch: " + e.getMessage());
            } finally {
                this.out = null;
            }
            return failure;
        }

        @Override
        public void onRecord(Record record) {
            long offset = record.offset();
            if (offset < position) {
                return;
            }
            byte[] keyBytes = bytes(record.buffer(), record.keyIndex(), record.keyLength());
            byte[] valueBytes = bytes(record.buffer(), record.valueIndex(), record.valueLength());
            K key;
            V value;
            try {
                key = keyDeserializer.deserialize(keyBytes);
                value = valueDeserializer.deserialize(valueBytes);
            } catch (RuntimeException e) {
                failure = new SluiceException(ErrorCode.SERIALIZATION_ERROR, "could not deserialize the record at "
                        + tp + " offset " + offset + ": " + e.getMessage() + "; seek past it to go on", e);
                throw StopDecoding.INSTANCE;
            }
            List<Header> headers = record.headerCount() == 0 ? List.of() : headers(record);
            out.add(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, record.timestamp(), key, value, headers));
        }

        /** A copy of {@code length} bytes at {@code index} (null for length -1), checked against the batch first. */
        private static byte[] bytes(ByteBuf batch, int index, int length) {
            if (length < 0) {
                return null;
            }
            if (length > batch.capacity() - index) {
                throw new IndexOutOfBoundsException("field of " + length + " bytes at " + index + " runs past the "
                        + batch.capacity() + "-byte batch");
            }
            byte[] out = new byte[length];
            batch.getBytes(index, out);
            return out;
        }

        private static List<Header> headers(Record record) {
            List<Header> headers = new ArrayList<>(record.headerCount());
            record.forEachHeader((k, v) -> headers.add(new Header(k, v)));
            return List.copyOf(headers);
        }
    }

    /** Unwinds {@link RecordBatch#forEachRecord} after a failure; carries no stack. */
    private static final class StopDecoding extends RuntimeException {
        static final StopDecoding INSTANCE = new StopDecoding();

        private StopDecoding() {
            super(null, null, false, false);
        }
    }
}
