package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.protostuff.Tag;
import io.sluice.broker.log.FetchData;
import io.sluice.broker.log.StorageGuard;
import io.sluice.broker.partition.PartitionAssignment;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.MessageCodec;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ErrorResponse;
import io.sluice.remoting.protocol.ProducePartition;
import io.sluice.remoting.protocol.ProducePartitionResult;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.record.RecordBatchBuilder;
import io.sluice.remoting.transport.FrameLayout;
import io.sluice.remoting.transport.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Protocol version 2 PRODUCE against a real broker handler on loopback with real Chronicle logs: every partition of
 * a request is answered on its own, a request whose layout lies is refused whole, and a version-1 request is refused
 * in a way a version-1 client can read, with nothing appended.
 */
class MultiPartitionProduceTest {
    private static final int BROKER = 1;
    private static final int SMALL_LIMIT = 200;

    @TempDir
    Path dir;

    private HandlerFixture broker;

    @BeforeEach
    void start() throws Exception {
        broker = new HandlerFixture(dir, BROKER);
        broker.partitions.applyTopic("t", "", Map.of(), broker.mixedLayout(
                new PartitionAssignment(4, List.of(BROKER, 2), BROKER, 0, List.of(BROKER, 2), 0))); // waits for 2
        broker.partitions.applyTopic("small", "", Map.of("max.message.bytes", String.valueOf(SMALL_LIMIT)),
                List.of(broker.led(0)));
        StorageGuard storage = new StorageGuard(dir.resolve("data"), 0, "test.min.free.bytes");
        broker.serve(ApiKey.PRODUCE, new ProduceHandler(broker.partitions, storage));
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void partialFailuresAreAnsweredPerPartitionWhileTheOthersAreAppendedAndReadable() throws Exception {
        List<ProducePartition> entries = new ArrayList<>();
        ByteBuf payload = Unpooled.buffer();
        add(entries, payload, "t", 0, batch("zero", 3));
        add(entries, payload, "no-such-topic", 0, batch("x", 1));
        add(entries, payload, "t", 1, batch("x", 1));
        add(entries, payload, "t", 2, batch("x", 1));
        add(entries, payload, "small", 0, batch("y".repeat(SMALL_LIMIT), 1));
        add(entries, payload, "t", 9, batch("x", 1));
        add(entries, payload, "t", 3, batch("three", 2));

        ProduceResponse response = produce(ProduceRequest.of((short) 1, 5_000, entries), payload);

        assertThat(response.partitions).extracting(r -> r.topic + "-" + r.partition).containsExactly("t-0",
                "no-such-topic-0", "t-1", "t-2", "small-0", "t-9", "t-3");
        assertThat(codes(response)).containsExactly(ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC, ErrorCode.NOT_LEADER,
                ErrorCode.NOT_LEADER, ErrorCode.RECORD_TOO_LARGE, ErrorCode.UNKNOWN_PARTITION, ErrorCode.NONE);
        assertThat(response.partitions.get(1).errorMessage).contains("no-such-topic");
        assertThat(response.partitions.get(4).errorMessage).contains("max.message.bytes=" + SMALL_LIMIT);
        assertThat(response.partitions.get(0).baseOffset).isZero();
        assertThat(response.partitions.get(6).baseOffset).isZero();
        assertThat(values("t", 0)).containsExactly("zero-0", "zero-1", "zero-2");
        assertThat(values("t", 3)).containsExactly("three-0", "three-1");
        assertThat(logEnd("small", 0)).as("the refused batch left nothing").isZero();

        // the same partition again in a later request continues where it was
        List<ProducePartition> more = new ArrayList<>();
        ByteBuf next = Unpooled.buffer();
        add(more, next, "t", 0, batch("again", 1));
        assertThat(produce(ProduceRequest.of((short) 1, 5_000, more), next).partitions.get(0).baseOffset)
                .isEqualTo(3);
    }

    @Test
    void aCorruptBatchFailsOnlyItsPartition() throws Exception {
        List<ProducePartition> entries = new ArrayList<>();
        ByteBuf payload = Unpooled.buffer();
        ByteBuf bad = batch("bad", 1);
        bad.setByte(bad.writerIndex() - 1, bad.getByte(bad.writerIndex() - 1) ^ 0x5A); // breaks the checksum
        add(entries, payload, "t", 0, bad);
        add(entries, payload, "t", 3, batch("fine", 1));
        ProduceResponse response = produce(ProduceRequest.of((short) 1, 5_000, entries), payload);
        assertThat(codes(response)).containsExactly(ErrorCode.CORRUPT_RECORD, ErrorCode.NONE);
        assertThat(logEnd("t", 0)).isZero();
        assertThat(values("t", 3)).containsExactly("fine-0");
    }

    @Test
    void lengthsThatDoNotAddUpToThePayloadRefuseTheWholeRequest() throws Exception {
        List<ProducePartition> entries = new ArrayList<>();
        ByteBuf payload = Unpooled.buffer();
        add(entries, payload, "t", 0, batch("a", 1));
        add(entries, payload, "t", 3, batch("b", 1));
        entries.get(1).batchBytes += 10; // a lie: the payload is 10 bytes shorter than claimed
        SluiceException e = failure(ProduceRequest.of((short) 1, 5_000, entries), payload);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("add up to");
        assertThat(logEnd("t", 0)).as("nothing appended").isZero();
        assertThat(logEnd("t", 3)).isZero();

        SluiceException none = failure(ProduceRequest.of((short) 1, 5_000, List.of()), Unpooled.EMPTY_BUFFER);
        assertThat(none.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(none.getMessage()).contains("names no partition");
    }

    @Test
    void acksAllAnswersEachPartitionOnItsOwnOutcome() throws Exception {
        List<ProducePartition> entries = new ArrayList<>();
        ByteBuf payload = Unpooled.buffer();
        add(entries, payload, "t", 0, batch("alone", 1)); // its only replica is this broker: replicated at once
        add(entries, payload, "t", 4, batch("waits", 1)); // broker 2 never fetches: times out
        ProduceResponse response = produce(ProduceRequest.of((short) -1, 600, entries), payload);
        assertThat(codes(response)).containsExactly(ErrorCode.NONE, ErrorCode.REQUEST_TIMED_OUT);
        assertThat(response.partitions.get(1).errorMessage).contains("did not reach every in-sync replica");
        assertThat(values("t", 0)).containsExactly("alone-0");
    }

    @Test
    void aVersionOneProduceIsRefusedInVersionOneAndNothingIsAppended() throws Exception {
        ByteBuf batch = batch("old", 1);
        V1ProduceRequest old = new V1ProduceRequest();
        old.topic = "t";
        old.partition = 0;
        old.acks = 1;
        old.timeoutMs = 5_000;
        ByteBuf body = Unpooled.buffer();
        int bodyBytes = MessageCodec.encode(old, body);
        InetSocketAddress address = broker.server.localAddress();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(FrameLayout.HEADER_SIZE - 4 + bodyBytes + batch.readableBytes());
            out.writeShort(FrameLayout.MAGIC);
            out.writeByte(1); // the version-1 header had this very layout
            out.writeByte(0);
            out.writeShort(ApiKey.PRODUCE.id());
            out.writeLong(4242);
            out.writeInt(bodyBytes);
            out.write(bytes(body));
            out.write(bytes(batch));
            out.flush();

            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            ByteBuf answer = Unpooled.wrappedBuffer(frame);
            assertThat(answer.getByte(FrameLayout.VERSION_OFFSET - 4)).as("answered in version 1").isEqualTo((byte) 1);
            assertThat(answer.getByte(FrameLayout.FLAGS_OFFSET - 4) & FrameLayout.FLAG_ERROR).isNotZero();
            assertThat(answer.getLong(FrameLayout.REQUEST_ID_OFFSET - 4)).isEqualTo(4242);
            ErrorResponse error = MessageCodec.decode(ErrorResponse.class, answer, FrameLayout.HEADER_SIZE - 4,
                    answer.getInt(FrameLayout.BODY_LENGTH_OFFSET - 4));
            assertThat(ErrorCode.forId(error.code)).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(error.message).contains("protocol version 1", "version 2", "upgrade the client");
            assertThat(in.read()).as("then the connection is closed").isEqualTo(-1);
        }
        assertThat(logEnd("t", 0)).as("nothing appended").isZero();
    }

    /** The PRODUCE body of protocol version 1, as an old client still sends it. */
    static final class V1ProduceRequest {
        @Tag(1)
        String topic;
        @Tag(2)
        int partition;
        @Tag(3)
        short acks;
        @Tag(4)
        int timeoutMs;
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    private static void add(List<ProducePartition> entries, ByteBuf payload, String topic, int partition,
                            ByteBuf batch) {
        entries.add(new ProducePartition(topic, partition, batch.readableBytes()));
        payload.writeBytes(batch);
        batch.release();
    }

    private static ByteBuf batch(String prefix, int records) {
        ByteBuf buf = Unpooled.buffer();
        RecordBatchBuilder builder = new RecordBatchBuilder(buf, System.currentTimeMillis());
        for (int i = 0; i < records; i++) {
            builder.append(System.currentTimeMillis(), null, (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        builder.close();
        return buf;
    }

    private ProduceResponse produce(ProduceRequest request, ByteBuf payload) throws Exception {
        try (Response response = broker.connection.request(ApiKey.PRODUCE, request, payload, 10_000)
                .get(15, TimeUnit.SECONDS)) {
            return response.message();
        }
    }

    private SluiceException failure(ProduceRequest request, ByteBuf payload) throws Exception {
        try {
            produce(request, payload);
        } catch (ExecutionException e) {
            return SluiceException.from(e.getCause());
        }
        throw new AssertionError("request succeeded, expected an error");
    }

    private static List<ErrorCode> codes(ProduceResponse response) {
        return response.partitions.stream().map((ProducePartitionResult r) -> ErrorCode.forId(r.errorCode)).toList();
    }

    private long logEnd(String topic, int partition) {
        return broker.partitions.partition(topic, partition).log().logEndOffset();
    }

    private List<String> values(String topic, int partition) {
        List<String> out = new ArrayList<>();
        try (FetchData data = broker.partitions.partition(topic, partition).read(0, 1 << 20, false,
                ByteBufAllocator.DEFAULT)) {
            ByteBuf records = data.records();
            RecordBatch view = new RecordBatch();
            Record record = new Record();
            for (int at = records.readerIndex(); at < records.writerIndex(); at += view.sizeInBytes()) {
                view.wrap(records, at);
                view.forEachRecord(record, r -> out.add(r.buffer().toString(r.valueIndex(), r.valueLength(),
                        StandardCharsets.UTF_8)));
            }
        }
        return out;
    }
}
