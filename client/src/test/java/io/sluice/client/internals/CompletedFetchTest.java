package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.Deserializer;
import io.sluice.client.Header;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.record.RecordBatchBuilder;
import io.sluice.remoting.transport.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompletedFetchTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private final CompletedFetch.RecordDecoder<String, String> strings =
            new CompletedFetch.RecordDecoder<>(Serdes.string(), Serdes.string());

    /** Appends a batch of {@code count} records "v<offset>" starting at {@code baseOffset}, as a broker stores it. */
    private static void batch(ByteBuf buf, long baseOffset, int count) {
        int start = buf.writerIndex();
        RecordBatchBuilder builder = new RecordBatchBuilder(buf, 1_000L);
        for (int i = 0; i < count; i++) {
            long offset = baseOffset + i;
            builder.append(1_000L + offset, ("k" + offset).getBytes(StandardCharsets.UTF_8),
                    ("v" + offset).getBytes(StandardCharsets.UTF_8),
                    offset == 7 ? new String[] {"trace"} : null,
                    offset == 7 ? new byte[][] {{42}} : null);
        }
        builder.close();
        new RecordBatch().wrap(buf, start).baseOffset(baseOffset);
    }

    private static List<Long> offsets(List<? extends ConsumerRecord<?, ?>> records) {
        List<Long> out = new ArrayList<>();
        records.forEach(r -> out.add(r.offset()));
        return out;
    }

    @ParameterizedTest(name = "copy batches: {0}")
    @ValueSource(booleans = {true, false})
    void decodesBatchByBatchSkippingRecordsBelowThePosition(boolean copy) {
        ByteBuf payload = Unpooled.buffer();
        batch(payload, 0, 5);
        batch(payload, 5, 5);
        batch(payload, 10, 5);
        CompletedFetch fetch = new CompletedFetch(TP, new Response(null, payload), true, copy);
        assertThat(fetch.nextOffsetAfterData()).isEqualTo(15);

        List<ConsumerRecord<String, String>> first = fetch.nextRecords(3, strings);
        assertThat(offsets(first)).containsExactly(3L, 4L);
        assertThat(first.get(0).value()).isEqualTo("v3");
        assertThat(first.get(0).key()).isEqualTo("k3");
        assertThat(first.get(0).timestamp()).isEqualTo(1_003L);
        assertThat(first.get(0).topic()).isEqualTo("t");

        List<ConsumerRecord<String, String>> second = fetch.nextRecords(5, strings);
        assertThat(offsets(second)).containsExactly(5L, 6L, 7L, 8L, 9L);
        assertThat(second.get(2).headers()).containsExactly(new Header("trace", new byte[] {42}));
        assertThat(second.get(0).headers()).isEmpty();

        assertThat(offsets(fetch.nextRecords(10, strings))).containsExactly(10L, 11L, 12L, 13L, 14L);
        assertThat(fetch.nextRecords(15, strings)).isNull();
        fetch.close();
        assertThat(payload.refCnt()).isZero();
    }

    @ParameterizedTest(name = "copy batches: {0}")
    @ValueSource(booleans = {true, false})
    void wholeBatchesBelowThePositionAreSkipped(boolean copy) {
        ByteBuf payload = Unpooled.buffer();
        batch(payload, 0, 5);
        batch(payload, 5, 5);
        CompletedFetch fetch = new CompletedFetch(TP, new Response(null, payload), true, copy);
        assertThat(offsets(fetch.nextRecords(6, strings))).containsExactly(6L, 7L, 8L, 9L);
        fetch.close();
    }

    @ParameterizedTest(name = "copy batches: {0}")
    @ValueSource(booleans = {true, false})
    void aTrailingPartialBatchIsIgnored(boolean copy) {
        ByteBuf whole = Unpooled.buffer();
        batch(whole, 0, 3);
        batch(whole, 3, 3);
        ByteBuf payload = whole.slice(0, whole.readableBytes() - 5);
        CompletedFetch fetch = new CompletedFetch(TP, new Response(null, payload), true, copy);
        assertThat(fetch.nextOffsetAfterData()).isEqualTo(3);
        assertThat(offsets(fetch.nextRecords(0, strings))).containsExactly(0L, 1L, 2L);
        assertThat(fetch.nextRecords(3, strings)).isNull();
        fetch.close();
    }

    @ParameterizedTest(name = "copy batches: {0}")
    @ValueSource(booleans = {true, false})
    void aCorruptBatchIsReportedWithItsPartitionAndOffset(boolean copy) {
        ByteBuf payload = Unpooled.buffer();
        batch(payload, 20, 3);
        payload.setByte(payload.writerIndex() - 4, 'X'); // inside the last value
        CompletedFetch fetch = new CompletedFetch(TP, new Response(null, payload), true, copy);
        assertThatThrownBy(() -> fetch.nextRecords(20, strings)).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_RECORD);
            assertThat(e.getMessage()).contains("t-0").contains("20");
        });
        CompletedFetch unchecked = new CompletedFetch(TP, new Response(null, payload.retain()), false, copy);
        assertThat(unchecked.nextRecords(20, strings).get(2).value()).isEqualTo("vX2");
        fetch.close();
        unchecked.close();
    }

    @ParameterizedTest(name = "copy batches: {0}")
    @ValueSource(booleans = {true, false})
    void aRecordRunningPastItsBatchIsCorruptEvenWithoutCrcChecks(boolean copy) {
        ByteBuf payload = Unpooled.buffer();
        batch(payload, 0, 3);
        payload.setByte(payload.writerIndex() - 2, 0x58); // header count of the last record: 22528
        CompletedFetch fetch = new CompletedFetch(TP, new Response(null, payload), false, copy);
        assertThatThrownBy(() -> fetch.nextRecords(0, strings)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_RECORD));
        fetch.close();
    }

    @ParameterizedTest(name = "copy batches: {0}")
    @ValueSource(booleans = {true, false})
    void aBadRecordStopsDecodingAfterTheRecordsBeforeIt(boolean copy) {
        ByteBuf payload = Unpooled.buffer();
        batch(payload, 0, 5);
        Deserializer<String> failOnThree = data -> {
            String s = new String(data, StandardCharsets.UTF_8);
            if (s.equals("v3")) {
                throw new IllegalArgumentException("bad value");
            }
            return s;
        };
        CompletedFetch.RecordDecoder<String, String> decoder =
                new CompletedFetch.RecordDecoder<>(Serdes.string(), failOnThree);
        CompletedFetch fetch = new CompletedFetch(TP, new Response(null, payload), true, copy);
        assertThat(offsets(fetch.nextRecords(0, decoder))).containsExactly(0L, 1L, 2L);
        assertThatThrownBy(() -> fetch.nextRecords(3, decoder)).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.SERIALIZATION_ERROR);
            assertThat(e.getMessage()).contains("t-0 offset 3");
        });
        assertThat(offsets(fetch.nextRecords(4, decoder))).as("seeking past it goes on").containsExactly(4L);
        fetch.close();
    }

    /** The same records whether the payload is one direct buffer (read in place) or in pieces (copied per batch). */
    @ParameterizedTest(name = "copy batches: {0}")
    @ValueSource(booleans = {true, false})
    void directAndCompositePayloadsDecodeAlike(boolean copy) {
        ByteBuf heap = Unpooled.buffer();
        batch(heap, 0, 4);
        batch(heap, 4, 4);
        ByteBuf direct = Unpooled.directBuffer(heap.readableBytes()).writeBytes(heap, 0, heap.readableBytes());
        int half = heap.readableBytes() / 2 + 3; // splits the second batch across two components
        ByteBuf pieces = Unpooled.compositeBuffer().addComponents(true, heap.retainedSlice(0, half),
                heap.retainedSlice(half, heap.readableBytes() - half));
        for (ByteBuf payload : List.of(direct, pieces)) {
            CompletedFetch fetch = new CompletedFetch(TP, new Response(null, payload), true, copy);
            List<ConsumerRecord<String, String>> all = new ArrayList<>(fetch.nextRecords(1, strings));
            all.addAll(fetch.nextRecords(4, strings));
            assertThat(offsets(all)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            assertThat(all.get(6).headers()).containsExactly(new Header("trace", new byte[] {42}));
            assertThat(all.get(5).value()).isEqualTo("v6");
            assertThat(all.get(5).key()).isEqualTo("k6");
            assertThat(fetch.isExhausted()).isTrue();
            fetch.close();
            assertThat(payload.refCnt()).isZero();
        }
        heap.release();
    }

    @ParameterizedTest(name = "copy batches: {0}")
    @ValueSource(booleans = {true, false})
    void aFetchIsExhaustedOnceItsLastWholeBatchIsDecoded(boolean copy) {
        ByteBuf whole = Unpooled.buffer();
        batch(whole, 0, 2);
        batch(whole, 2, 2);
        ByteBuf payload = whole.slice(0, whole.readableBytes() - 5); // the second batch is cut off
        CompletedFetch fetch = new CompletedFetch(TP, new Response(null, payload), true, copy);
        assertThat(fetch.sizeInBytes()).isEqualTo(payload.readableBytes());
        assertThat(fetch.isExhausted()).isFalse();
        assertThat(offsets(fetch.nextRecords(0, strings))).containsExactly(0L, 1L);
        assertThat(fetch.isExhausted()).as("only a partial batch is left").isTrue();
        fetch.close();
        assertThat(fetch.sizeInBytes()).isZero();
    }

    @ParameterizedTest(name = "copy batches: {0}")
    @ValueSource(booleans = {true, false})
    void aNegativeValueLengthOtherThanNullIsCorrupt(boolean copy) {
        ByteBuf payload = Unpooled.buffer();
        batch(payload, 0, 1);
        // record 0: length(4) attributes(1) timestampDelta(4) offsetDelta(4) keyLength(4) "k0" valueLength(4)
        payload.setInt(RecordBatch.RECORDS_OFFSET + 17 + 2, -7);
        CompletedFetch fetch = new CompletedFetch(TP, new Response(null, payload), false, copy);
        assertThatThrownBy(() -> fetch.nextRecords(0, strings)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_RECORD));
        fetch.close();
    }
}
