package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.record.RecordBatchBuilder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds record batches for tests and reads back what a fetch returned. */
final class TestBatches {
    private TestBatches() {
    }

    /** A direct buffer holding one batch of {@code values}, record i stamped {@code baseTimestamp + i}. */
    static ByteBuf batch(long baseTimestamp, String... values) {
        ByteBuf buf = Unpooled.directBuffer(256);
        RecordBatchBuilder builder = new RecordBatchBuilder(buf, baseTimestamp);
        for (int i = 0; i < values.length; i++) {
            builder.append(baseTimestamp + i, null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        builder.close();
        return buf;
    }

    /** A batch of {@code count} records named {@code prefix + i}, each padded to about {@code valueSize} bytes. */
    static ByteBuf batch(long baseTimestamp, String prefix, int count, int valueSize) {
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder(prefix).append(i).append(':');
            while (sb.length() < valueSize) {
                sb.append('x');
            }
            values[i] = sb.toString();
        }
        return batch(baseTimestamp, values);
    }

    /** Offsets and values of every record in {@code records} (whole batches from the reader index). */
    static List<String> values(ByteBuf records) {
        List<String> out = new ArrayList<>();
        forEachRecord(records, (offset, value) -> out.add(value));
        return out;
    }

    static List<Long> offsets(ByteBuf records) {
        List<Long> out = new ArrayList<>();
        forEachRecord(records, (offset, value) -> out.add(offset));
        return out;
    }

    /** Base offsets of the batches in {@code records}. */
    static List<Long> batchBases(ByteBuf records) {
        List<Long> out = new ArrayList<>();
        RecordBatch view = new RecordBatch();
        int at = records.readerIndex();
        while (at < records.writerIndex()) {
            view.wrap(records, at);
            out.add(view.baseOffset());
            at += view.sizeInBytes();
        }
        return out;
    }

    interface RecordConsumer {
        void accept(long offset, String value);
    }

    static void forEachRecord(ByteBuf records, RecordConsumer consumer) {
        RecordBatch view = new RecordBatch();
        Record record = new Record();
        int at = records.readerIndex();
        while (at < records.writerIndex()) {
            view.wrap(records, at);
            view.validate(records.writerIndex() - at);
            view.forEachRecord(record, r -> consumer.accept(r.offset(),
                    r.buffer().toString(r.valueIndex(), r.valueLength(), StandardCharsets.UTF_8)));
            at += view.sizeInBytes();
        }
    }

    /** Concatenates the batches of several buffers (for follower appends); releases nothing. */
    static ByteBuf concat(ByteBuf... batches) {
        ByteBuf out = Unpooled.directBuffer();
        for (ByteBuf b : batches) {
            out.writeBytes(b, b.readerIndex(), b.readableBytes());
        }
        return out;
    }
}
