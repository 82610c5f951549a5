package io.sluice.it;

import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.protocol.ProducePartitionResult;
import io.sluice.remoting.protocol.ProducePartition;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.broker.server.BrokerServer;
import io.sluice.cli.SluiceCli;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.MessageCodec;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ErrorResponse;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.FetchedPartition;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.record.RecordBatchBuilder;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.FrameLayout;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import io.sluice.remoting.transport.TransportConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every kind of bad input, sent through the real network path, gets its own error code and a message that says what
 * is wrong; none of them takes the broker down or damages its log (the broker keeps serving after each).
 */
class BadInputTest {
    @TempDir
    static Path dir;

    private static Standalone standalone;
    private static RemotingClient client;
    private static Connection broker;

    @BeforeAll
    static void start() throws Exception {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 1));
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic("events", 2, 1, Map.of("max.message.bytes", "2048")));
        }
        // the broker applies the new topic from the registry a moment after the nameserver created it
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> standalone.brokers().get(0).partitions().partitions("events") != null);
        client = new RemotingClient("test", new TransportConfig(), null);
        broker = client.connect(standalone.brokers().get(0).address()).get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (standalone != null) {
            standalone.close();
        }
    }

    private static SluiceException failure(ApiKey key, Object request, ByteBuf payload) {
        try {
            try (Response r = broker.request(key, request, payload, 10_000).get(10, TimeUnit.SECONDS)) {
                if (r.message() instanceof ProduceResponse produced) { // version 2: errors travel per partition
                    ProducePartitionResult result = produced.partitions.get(0);
                    if (result.errorCode != 0) {
                        return new SluiceException(ErrorCode.forId(result.errorCode), result.errorMessage);
                    }
                }
            }
        } catch (ExecutionException e) {
            return SluiceException.from(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("request succeeded, expected an error");
    }

    private static ByteBuf batch(int valueSize) {
        ByteBuf buf = Unpooled.buffer();
        RecordBatchBuilder builder = new RecordBatchBuilder(buf, System.currentTimeMillis());
        builder.append(System.currentTimeMillis(), null, new byte[valueSize]);
        builder.close();
        return buf;
    }

    /** A produce of {@code batch} (whose length the entry must give) to one partition. */
    private static ProduceRequest produce(String topic, int partition, ByteBuf batch) {
        return ProduceRequest.of((short) 1, 5000,
                java.util.List.of(new ProducePartition(topic, partition, batch.readableBytes())));
    }

    /** The broker still appends and answers after the bad input. */
    private static void assertBrokerStillServes() throws Exception {
        ByteBuf batch = batch(10);
        try (Response r = broker.request(ApiKey.PRODUCE, produce("events", 0, batch), batch, 10_000)
                .get(10, TimeUnit.SECONDS)) {
            ProducePartitionResult result = r.<ProduceResponse>message().partitions.get(0);
            assertThat(result.errorCode).isZero();
            assertThat(result.baseOffset).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void unknownTopic() throws Exception {
        ByteBuf batch = batch(10);
        SluiceException e = failure(ApiKey.PRODUCE, produce("no-such-topic", 0, batch), batch);
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(e.getMessage()).contains("no-such-topic");
        assertBrokerStillServes();
    }

    @Test
    void unknownTopicThroughTheProducer() {
        ProducerConfig config = new ProducerConfig().nameservers(standalone.nameservers()).maxBlockMs(1000);
        try (Producer<String, String> producer = Producer.create(config, Serdes.string(), Serdes.string())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("missing-topic", "v")).get(10, TimeUnit.SECONDS))
                    .satisfies(t -> assertThat(SluiceException.from(t).code()).isEqualTo(ErrorCode.UNKNOWN_TOPIC));
        }
    }

    @Test
    void invalidPartition() throws Exception {
        ByteBuf batch = batch(10);
        SluiceException e = failure(ApiKey.PRODUCE, produce("events", 7, batch), batch);
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_PARTITION);
        assertThat(e.getMessage()).contains("0..1");
        assertBrokerStillServes();
    }

    @Test
    void recordOverTheMaximumSize() throws Exception {
        ByteBuf batch = batch(4096);
        SluiceException e = failure(ApiKey.PRODUCE, produce("events", 0, batch), batch);
        assertThat(e.code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
        assertBrokerStillServes();
    }

    @Test
    void corruptBatch() throws Exception {
        ByteBuf bad = batch(100);
        bad.setByte(bad.writerIndex() - 3, bad.getByte(bad.writerIndex() - 3) ^ 0x5A);
        SluiceException e = failure(ApiKey.PRODUCE, produce("events", 0, bad), bad);
        assertThat(e.code()).isEqualTo(ErrorCode.CORRUPT_RECORD);
        assertBrokerStillServes();
    }

    @Test
    void offsetOutOfRangeNamesTheValidRange() throws Exception {
        assertBrokerStillServes();
        FetchRequest fetch = Fetches.one("events", 0, 1_000_000, 65536, 0);
        try (Response answer = broker.request(ApiKey.FETCH, fetch, null, 10_000).get(10, TimeUnit.SECONDS)) {
            FetchedPartition p = answer.<FetchResponse>message().partitions.get(0);
            assertThat(ErrorCode.forId(p.errorCode)).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
            assertThat(p.errorMessage).contains("1000000").containsPattern("\\[0, \\d+\\)");
        }
    }

    @Test
    void garbageOnThePortClosesOnlyThatConnection() throws Exception {
        InetSocketAddress address = standalone.brokers().get(0).address();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            out.flush();
            int read;
            do {
                read = socket.getInputStream().read();
            } while (read >= 0);
            assertThat(read).as("the server closed the connection").isEqualTo(-1);
        }
        assertBrokerStillServes();
    }

    @Test
    void oversizedFrameIsRefusedWithoutReadingIt() throws Exception {
        InetSocketAddress address = standalone.brokers().get(0).address();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            java.io.DataOutputStream out = new java.io.DataOutputStream(socket.getOutputStream());
            out.writeInt(Integer.MAX_VALUE - 8); // claims a 2 GiB frame
            out.writeShort(FrameLayout.MAGIC);
            out.flush();
            int read;
            do {
                read = in.read();
            } while (read >= 0);
            assertThat(read).isEqualTo(-1);
        }
        assertBrokerStillServes();
    }

    @Test
    void unsupportedProtocolVersion() throws Exception {
        InetSocketAddress address = standalone.brokers().get(0).address();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            java.io.DataOutputStream out = new java.io.DataOutputStream(socket.getOutputStream());
            out.writeInt(FrameLayout.HEADER_SIZE - 4);
            out.writeShort(FrameLayout.MAGIC);
            out.writeByte(99);
            out.writeByte(0);
            out.writeShort(ApiKey.PRODUCE.id());
            out.writeLong(42);
            out.writeInt(0);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readInt();
            byte[] frame = new byte[length];
            in.readFully(frame);
            ByteBuf buf = Unpooled.wrappedBuffer(frame);
            int flags = buf.getByte(FrameLayout.FLAGS_OFFSET - 4);
            assertThat(flags & FrameLayout.FLAG_ERROR).isNotZero();
            assertThat(buf.getLong(FrameLayout.REQUEST_ID_OFFSET - 4)).isEqualTo(42);
            int bodyLength = buf.getInt(FrameLayout.BODY_LENGTH_OFFSET - 4);
            ErrorResponse error = MessageCodec.decode(ErrorResponse.class, buf, FrameLayout.HEADER_SIZE - 4, bodyLength);
            assertThat(ErrorCode.forId(error.code)).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(error.message).contains("99");
        }
        assertBrokerStillServes();
    }

    @Test
    void badConfigValueIsNamed() {
        StringWriter err = new StringWriter();
        int code = SluiceCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                "broker", "--registry", standalone.zookeeperAddress(), "--set", "sluice.broker.fetch.max.bytes=lots",
                "--data-dir", dir.resolve("never").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("INVALID_CONFIG").contains("sluice.broker.fetch.max.bytes");
    }

    @Test
    void portAlreadyInUse() {
        int taken = standalone.brokers().get(0).address().getPort();
        try (RegistryClient registry = RegistryClient.connect(new RegistryConfig()
                .connect(standalone.zookeeperAddress()))) {
            BrokerConfig config = new BrokerConfig().id(7).port(taken).metricsPort(-1).dataDir(dir.resolve("b7"));
            assertThatThrownBy(() -> new BrokerServer(config, registry, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).start())
                    .isInstanceOfSatisfying(SluiceException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE);
                        assertThat(e.getMessage()).contains(Integer.toString(taken));
                    });
        }
    }

    @Test
    void dataDirNotWritable() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        try (RegistryClient registry = RegistryClient.connect(new RegistryConfig()
                .connect(standalone.zookeeperAddress()))) {
            BrokerConfig config = new BrokerConfig().id(8).port(0).metricsPort(-1).dataDir(file.resolve("data"));
            assertThatThrownBy(() -> new BrokerServer(config, registry, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).start())
                    .isInstanceOfSatisfying(SluiceException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.DATA_DIR_NOT_WRITABLE);
                        assertThat(e.getMessage()).contains("not-a-dir");
                    });
        }
    }

    @Test
    void unknownTopicConfigIsRefusedAtCreation() {
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            assertThatThrownBy(() -> admin.createTopic(new NewTopic("typo", 1, 1, Map.of("retention.msec", "5"))))
                    .satisfies(t -> {
                        SluiceException e = SluiceException.from(t);
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                        assertThat(e.getMessage()).contains("retention.msec");
                    });
        }
    }
}
