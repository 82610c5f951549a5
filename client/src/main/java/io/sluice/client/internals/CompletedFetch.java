package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
 * position (the first batch may start before the offset asked for). Each batch is copied once into the decoder's
 * scratch array and decoded from there. Not thread-safe; owned by the consumer thread.
 * {@link #close()} releases the payload.
 */
final class CompletedFetch {
    private final TopicPartition tp;
    private final Response response;
    private final ByteBuf payload;
    private final int end;
    private final boolean checkCrcs;
    private final RecordBatch batch = new RecordBatch();
    private int cursor;
    private boolean closed;

    CompletedFetch(TopicPartition tp, Response response, boolean checkCrcs) {
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
            RecordBatch copy = decoder.copy(payload, cursor, size);
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

    private void check(RecordBatch batch, int size) {
        if (checkCrcs) {
            try {
                batch.validate(size);
            } catch (SluiceException e) {
                throw new SluiceException(e.code(), tp + " at offset " + batch.baseOffset() + ": " + e.getMessage());
            }
        } else if (batch.magic() != RecordBatch.MAGIC || batch.recordCount() < 1) {
            throw new SluiceException(ErrorCode.CORRUPT_RECORD, tp + " at offset " + batch.baseOffset()
                    + ": bad batch header (magic " + batch.magic() + ", " + batch.recordCount() + " records)");
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
         * batch. Copying a batch costs little next to decoding its records, and reading the copy keeps per-access
         * work of the network buffer (such as paranoid leak tracking) off the per-record path.
         */
        RecordBatch copy(ByteBuf from, int index, int size) {
            if (scratch.length < size) {
                scratch = new byte[Math.max(size, MIN_SCRATCH_BYTES)];
                scratchBuffer = Unpooled.wrappedBuffer(scratch);
            }
            from.getBytes(index, scratch, 0, size);
            return copyView.wrap(scratchBuffer, 0);
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
            K key;
            V value;
            try {
                key = keyDeserializer.deserialize(record.key());
                value = valueDeserializer.deserialize(record.value());
            } catch (RuntimeException e) {
                failure = new SluiceException(ErrorCode.SERIALIZATION_ERROR, "could not deserialize the record at "
                        + tp + " offset " + offset + ": " + e.getMessage() + "; seek past it to go on", e);
                throw StopDecoding.INSTANCE;
            }
            List<Header> headers = record.headerCount() == 0 ? List.of() : headers(record);
            out.add(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, record.timestamp(), key, value, headers));
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
