package io.sluice.remoting.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Builder -> view round trips of the record batch layout, and corruption detection. */
class RecordBatchTest {
    private static final long BASE_TS = 1_700_000_000_000L;
    private final ByteBuf buf = Unpooled.directBuffer(1024);

    @AfterEach
    void release() {
        buf.release();
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private RecordBatchBuilder threeRecords() {
        RecordBatchBuilder builder = new RecordBatchBuilder(buf, BASE_TS);
        builder.append(BASE_TS, utf8("k0"), utf8("v0"));
        builder.append(BASE_TS + 5, null, utf8("v1-no-key"),
                new String[] {"trace", "empty", "null"}, new byte[][] {utf8("abc"), new byte[0], null});
        builder.append(BASE_TS + 2, utf8("k2"), null);
        builder.close();
        return builder;
    }

    private record Seen(long offset, long timestamp, String key, String value, List<String> headers) {
    }

    private static List<Seen> read(RecordBatch batch) {
        List<Seen> seen = new ArrayList<>();
        batch.forEachRecord(new Record(), r -> {
            List<String> headers = new ArrayList<>();
            r.forEachHeader((k, v) -> headers.add(k + "=" + (v == null ? "null" : new String(v,
                    StandardCharsets.UTF_8))));
            seen.add(new Seen(r.offset(), r.timestamp(), str(r.key()), str(r.value()), headers));
        });
        return seen;
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void builderAndViewRoundTrip() {
        buf.writeBytes(new byte[] {9, 9, 9}); // the batch need not start at index 0
        buf.readerIndex(3);
        RecordBatchBuilder builder = threeRecords();
        assertThat(builder.recordCount()).isEqualTo(3);
        assertThat(builder.start()).isEqualTo(3);

        RecordBatch batch = new RecordBatch().wrap(buf, builder.start());
        batch.validate(buf.readableBytes());
        assertThat(batch.sizeInBytes()).isEqualTo(builder.sizeInBytes()).isEqualTo(buf.readableBytes());
        assertThat(batch.magic()).isEqualTo(RecordBatch.MAGIC);
        assertThat(batch.recordCount()).isEqualTo(3);
        assertThat(batch.baseTimestamp()).isEqualTo(BASE_TS);
        assertThat(batch.maxTimestamp()).isEqualTo(BASE_TS + 5);
        assertThat(batch.leaderEpoch()).isEqualTo(-1);

        // the broker assigns offsets and epoch; the checksum does not cover them
        batch.baseOffset(1000);
        batch.leaderEpoch(7);
        assertThat(batch.isValid(buf.readableBytes())).isTrue();
        assertThat(batch.lastOffset()).isEqualTo(1002);
        assertThat(batch.nextOffset()).isEqualTo(1003);

        assertThat(read(batch)).containsExactly(
                new Seen(1000, BASE_TS, "k0", "v0", List.of()),
                new Seen(1001, BASE_TS + 5, null, "v1-no-key", List.of("trace=abc", "empty=", "null=null")),
                new Seen(1002, BASE_TS + 2, "k2", null, List.of()));
    }

    @Test
    void headersSizeMatchesWhatIsWritten() {
        String[] keys = {"a", "ключ"};
        byte[][] values = {utf8("1"), null};
        RecordBatchBuilder builder = new RecordBatchBuilder(buf, BASE_TS);
        int before = builder.sizeInBytes();
        builder.append(BASE_TS, utf8("k"), utf8("value"), keys, values);
        int expected = RecordBatchBuilder.recordSize(1, 5, RecordBatchBuilder.headersSize(keys, values));
        assertThat(builder.sizeInBytes() - before).isEqualTo(expected);
    }

    @Test
    void aFlippedByteFailsTheChecksum() {
        threeRecords();
        RecordBatch batch = new RecordBatch().wrap(buf, 0);
        int index = RecordBatch.RECORDS_OFFSET + 10;
        buf.setByte(index, buf.getByte(index) ^ 0x01);
        assertThatThrownBy(() -> batch.validate(buf.readableBytes()))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_RECORD))
                .hasMessageContaining("checksum");
        assertThat(batch.isValid(buf.readableBytes())).isFalse();
    }

    @Test
    void everySingleFlippedByteOutsideOffsetAndEpochIsDetected() {
        threeRecords();
        RecordBatch batch = new RecordBatch().wrap(buf, 0);
        int size = buf.readableBytes();
        for (int i = RecordBatch.BATCH_LENGTH_OFFSET; i < size; i++) {
            if (i >= RecordBatch.LEADER_EPOCH_OFFSET && i < RecordBatch.MAGIC_OFFSET) {
                continue; // leader epoch: written by the broker, not covered
            }
            buf.setByte(i, buf.getByte(i) ^ 0x10);
            assertThat(batch.isValid(size)).as("flip at %d", i).isFalse();
            buf.setByte(i, buf.getByte(i) ^ 0x10);
        }
        assertThat(batch.isValid(size)).isTrue();
    }

    @Test
    void aTruncatedBatchIsDetected() {
        threeRecords();
        RecordBatch batch = new RecordBatch().wrap(buf, 0);
        int size = buf.readableBytes();
        assertThatThrownBy(() -> batch.validate(size - 1))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_RECORD))
                .hasMessageContaining("does not fit");
        assertThatThrownBy(() -> batch.validate(RecordBatch.HEADER_SIZE - 1))
                .isInstanceOf(SluiceException.class).hasMessageContaining("shorter");
    }

    @Test
    void aBadStructureIsCaughtEvenWithAValidChecksum() {
        threeRecords();
        int size = buf.readableBytes();
        RecordBatch batch = new RecordBatch().wrap(buf, 0);
        int firstRecord = RecordBatch.RECORDS_OFFSET;
        int[][] tampers = {
                {firstRecord, 100_000},          // record length past the batch end
                {firstRecord + 13, 1_000_000},   // key length past the record
                {firstRecord + 13, -7},          // key length below -1 (null)
                {firstRecord + 9, 5},            // offset delta out of sequence
        };
        for (int[] tamper : tampers) {
            int original = buf.getInt(tamper[0]);
            buf.setInt(tamper[0], tamper[1]);
            reseal(size);
            assertThatThrownBy(() -> batch.validate(size)).as("tamper at %d", tamper[0])
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_RECORD))
                    .hasMessageContaining("record 0");
            buf.setInt(tamper[0], original);
            reseal(size);
            batch.validate(size);
        }
    }

    /** Recomputes the checksum over the (tampered) batch, as a hostile producer could. */
    private void reseal(int size) {
        buf.setInt(RecordBatch.CRC_OFFSET, RecordBatch.computeCrc(buf, RecordBatch.ATTRIBUTES_OFFSET,
                size - RecordBatch.ATTRIBUTES_OFFSET));
    }

    @Test
    void anEmptyBatchCannotBeClosed() {
        RecordBatchBuilder builder = new RecordBatchBuilder(buf, BASE_TS);
        assertThat(builder.isEmpty()).isTrue();
        assertThatThrownBy(builder::close).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void severalBatchesBackToBackAreWalkedBySize() {
        for (int b = 0; b < 3; b++) {
            RecordBatchBuilder builder = new RecordBatchBuilder(buf, BASE_TS + b);
            for (int r = 0; r <= b; r++) {
                builder.append(BASE_TS + b, utf8("k" + r), utf8("v" + b + r));
            }
            builder.close();
        }
        RecordBatch batch = new RecordBatch();
        int pos = 0;
        List<Integer> counts = new ArrayList<>();
        while (pos < buf.writerIndex()) {
            batch.wrap(buf, pos).validate(buf.writerIndex() - pos);
            counts.add(batch.recordCount());
            pos += batch.sizeInBytes();
        }
        assertThat(counts).containsExactly(1, 2, 3);
    }
}
