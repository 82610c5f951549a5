package io.sluice.it;

import io.netty.buffer.ByteBuf;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.broker.server.BrokerServer;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.FetchPartition;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.FetchedPartition;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import io.sluice.remoting.transport.TransportConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Multi-partition FETCH against real brokers on loopback: each partition answered on its own, the byte limits, and
 * fetch sessions (incremental answers, session errors, the bounded session cache).
 */
class MultiPartitionFetchTest {
    private static final String TOPIC = "wide";
    private static final int PARTITIONS = 6;
    private static final int VALUE_BYTES = 1_000;
    private static final int SESSION_SLOTS = 3;

    @TempDir
    static Path dir;

    private static Standalone cluster;
    private static RemotingClient client;
    private static Connection broker0;
    /** partitions of {@link #TOPIC} led by broker 0 and by broker 1 */
    private static final List<Integer> led0 = new ArrayList<>();
    private static final List<Integer> led1 = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = Standalone.start(new StandaloneSettings("127.0.0.1", dir, 0, -1, 2, new RegistryConfig(),
                new NameServerConfig().port(0).metricsPort(-1),
                i -> new BrokerConfig().port(0).metricsPort(-1).fetchSessionCacheSlots(SESSION_SLOTS)
                        .fetchSessionEvictionIdleMs(0)));
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 1));
            admin.createTopic(new NewTopic("quiet", 2, 1));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> leaders("quiet") == 2 && leaders(TOPIC) == PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            Partition[] hosted = cluster.brokers().get(0).partitions().partitions(TOPIC);
            (hosted != null && hosted[p] != null && hosted[p].isLeader() ? led0 : led1).add(p);
        }
        assertThat(led0).as("partitions led by broker 0").hasSizeGreaterThanOrEqualTo(2);
        assertThat(led1).as("partitions led by broker 1").isNotEmpty();
        // four batches of one record each in every partition (one acknowledged send at a time)
        try (Producer<String, byte[]> producer = Producer.create(new ProducerConfig()
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.bytes())) {
            for (int i = 0; i < 4; i++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(TOPIC, p, null, new byte[VALUE_BYTES])).get(30, TimeUnit.SECONDS);
                }
            }
        }
        client = new RemotingClient("fetch-test", new TransportConfig(), null);
        broker0 = client.connect(cluster.brokers().get(0).address()).get(10, TimeUnit.SECONDS);
    }

    /** Partitions of {@code topic} led somewhere in the cluster. */
    private static int leaders(String topic) {
        int n = 0;
        for (var b : cluster.brokers()) {
            n += leaders(b, topic);
        }
        return n;
    }

    /** Partitions of {@code topic} led by {@code broker}. */
    private static int leaders(BrokerServer broker, String topic) {
        int n = 0;
        Partition[] hosted = broker.partitions().partitions(topic);
        if (hosted != null) {
            for (Partition p : hosted) {
                n += p != null && p.isLeader() ? 1 : 0;
            }
        }
        return n;
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Response fetch(Connection c, FetchRequest request) throws Exception {
        return c.request(ApiKey.FETCH, request, null, 20_000).get(20, TimeUnit.SECONDS);
    }

    private static SluiceException failure(Connection c, FetchRequest request) throws Exception {
        try {
            fetch(c, request).close();
        } catch (ExecutionException e) {
            return SluiceException.from(e.getCause());
        }
        throw new AssertionError("fetch answered, expected an error");
    }

    private static Map<String, FetchedPartition> byName(Response r) {
        Map<String, FetchedPartition> out = new HashMap<>();
        for (FetchedPartition p : r.<FetchResponse>message().partitions) {
            out.put(p.topic + "-" + p.partition, p);
        }
        return out;
    }

    /** Batches in a partition's share of the payload, checking that the shares add up to the payload. */
    private static Map<String, Integer> batches(Response r) {
        ByteBuf payload = r.payload();
        int pos = payload.readerIndex();
        Map<String, Integer> out = new HashMap<>();
        for (FetchedPartition p : r.<FetchResponse>message().partitions) {
            int count = 0;
            int end = pos + p.recordsBytes;
            while (pos < end) {
                RecordBatch batch = new RecordBatch().wrap(payload, pos);
                pos += batch.sizeInBytes();
                count++;
            }
            assertThat(pos).as("whole batches in %s-%s", p.topic, p.partition).isEqualTo(end);
            out.put(p.topic + "-" + p.partition, count);
        }
        assertThat(pos).as("the entries' bytes are the whole payload").isEqualTo(payload.writerIndex());
        return out;
    }

    private static FetchPartition at(String topic, int partition, long offset, int maxBytes) {
        return new FetchPartition(topic, partition, offset, maxBytes, -1);
    }

    private static String name(int partition) {
        return TOPIC + "-" + partition;
    }

    @Test
    void partialFailuresAreAnsweredPerPartitionWhileTheOthersReturnRecords() throws Exception {
        int good = led0.get(0);
        int outOfRange = led0.get(1);
        int elsewhere = led1.get(0);
        FetchRequest request = Fetches.sessionless(1 << 20, 0, at(TOPIC, good, 0, 1 << 20),
                at("no-such-topic", 0, 0, 1 << 20), at(TOPIC, elsewhere, 0, 1 << 20),
                at(TOPIC, outOfRange, 1_000_000, 1 << 20), at(TOPIC, 99, 0, 1 << 20));
        try (Response r = fetch(broker0, request)) {
            Map<String, FetchedPartition> answered = byName(r);
            assertThat(answered).hasSize(5);
            assertThat(answered.get(name(good)).errorCode).isZero();
            assertThat(answered.get(name(good)).highWatermark).isEqualTo(4);
            assertThat(batches(r).get(name(good))).isEqualTo(4);
            assertThat(ErrorCode.forId(answered.get("no-such-topic-0").errorCode)).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
            assertThat(answered.get("no-such-topic-0").errorMessage).contains("no-such-topic");
            assertThat(ErrorCode.forId(answered.get(name(elsewhere)).errorCode)).isEqualTo(ErrorCode.NOT_LEADER);
            FetchedPartition range = answered.get(name(outOfRange));
            assertThat(ErrorCode.forId(range.errorCode)).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
            assertThat(range.errorMessage).contains("1000000");
            assertThat(ErrorCode.forId(answered.get(name(99)).errorCode)).isEqualTo(ErrorCode.UNKNOWN_PARTITION);
        }
    }

    @Test
    void aFetchShortOfMinBytesWaitsUntilAnAppendBringsMore() throws Exception {
        String topic = "waits";
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic(topic, 1, 1));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> leaders(topic) == 1);
        int leader = 0;
        while (leaders(cluster.brokers().get(leader), topic) == 0) {
            leader++;
        }
        Connection c = client.connect(cluster.brokers().get(leader).address()).get(10, TimeUnit.SECONDS);
        try (Producer<String, byte[]> producer = Producer.create(new ProducerConfig()
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.bytes())) {
            producer.send(new ProducerRecord<>(topic, 0, null, new byte[VALUE_BYTES])).get(30, TimeUnit.SECONDS);
            int batchBytes;
            try (Response r = fetch(c, Fetches.one(topic, 0, 0, 1 << 20, 0))) {
                batchBytes = r.payload().readableBytes();
            }
            // one batch is readable, minBytes asks for more: the fetch waits (here up to a minute) for an append
            FetchRequest waiting = Fetches.one(topic, 0, 0, 1 << 20, 60_000);
            waiting.minBytes = batchBytes + 1;
            var answer = c.request(ApiKey.FETCH, waiting, null, 90_000);
            producer.send(new ProducerRecord<>(topic, 0, null, new byte[VALUE_BYTES])).get(30, TimeUnit.SECONDS);
            try (Response r = answer.get(30, TimeUnit.SECONDS)) {
                assertThat(batches(r)).as("woken by the append, not by its max wait").containsEntry(topic + "-0", 2);
            }
        }
    }

    @Test
    void perPartitionAndRequestByteLimitsAreHonoured() throws Exception {
        int a = led0.get(0);
        int b = led0.get(1);
        int batchBytes;
        try (Response r = fetch(broker0, Fetches.sessionless(1 << 20, 0, at(TOPIC, a, 0, 1 << 20)))) {
            batchBytes = r.payload().readableBytes() / 4;
        }
        // per partition: room for two and a half batches each returns two
        int twoAndAHalf = batchBytes * 5 / 2;
        try (Response r = fetch(broker0, Fetches.sessionless(1 << 20, 0, at(TOPIC, a, 0, twoAndAHalf),
                at(TOPIC, b, 0, twoAndAHalf)))) {
            assertThat(batches(r)).containsEntry(name(a), 2).containsEntry(name(b), 2);
        }
        // per request: room for one and a half batches returns one, from whichever partition is read first
        for (int i = 0; i < 2; i++) {
            try (Response r = fetch(broker0, Fetches.sessionless(batchBytes * 3 / 2, 0, at(TOPIC, a, 0, 1 << 20),
                    at(TOPIC, b, 0, 1 << 20)))) {
                Map<String, Integer> got = batches(r);
                assertThat(got.get(name(a)) + got.get(name(b))).isEqualTo(1);
                assertThat(r.payload().readableBytes()).isLessThanOrEqualTo(batchBytes * 3 / 2);
            }
        }
        // limits smaller than one batch: the first partition with data still returns one whole batch (progress)
        try (Response r = fetch(broker0, Fetches.sessionless(100, 0, at(TOPIC, a, 0, 100), at(TOPIC, b, 0, 100)))) {
            Map<String, Integer> got = batches(r);
            assertThat(got.get(name(a)) + got.get(name(b))).isEqualTo(1);
            assertThat(r.payload().readableBytes()).isEqualTo(batchBytes);
        }
    }

    @Test
    void sessionlessFetchesRotateSoThatNoPartitionStarves() throws Exception {
        int a = led0.get(0);
        int b = led0.get(1);
        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            try (Response r = fetch(broker0, Fetches.sessionless(100, 0, at(TOPIC, a, 0, 1 << 20),
                    at(TOPIC, b, 0, 1 << 20)))) {
                batches(r).forEach((k, v) -> served.merge(k, v, Integer::sum));
            }
        }
        assertThat(served.get(name(a))).isPositive();
        assertThat(served.get(name(b))).isPositive();
    }

    private static FetchRequest sessionFetch(int sessionId, int epoch, int maxWaitMs, List<FetchPartition> changed,
                                             List<FetchPartition> forgotten) {
        FetchRequest request = new FetchRequest();
        request.replicaId = -1;
        request.maxBytes = 1 << 20;
        request.maxWaitMs = maxWaitMs;
        request.minBytes = 1;
        request.sessionId = sessionId;
        request.sessionEpoch = epoch;
        request.partitions = new ArrayList<>(changed);
        request.forgotten = new ArrayList<>(forgotten);
        return request;
    }

    @Test
    void anIncrementalFetchAnswersOnlyThePartitionsThatChanged() throws Exception {
        Connection c = client.connect(cluster.brokers().get(0).address()).get(10, TimeUnit.SECONDS);
        try {
            int a = led0.get(0);
            int b = led0.get(1);
            Partition quiet = cluster.brokers().get(0).partitions().partitions(TOPIC)[b];
            long endB = quiet.log().logEndOffset();
            long endA = cluster.brokers().get(0).partitions().partitions(TOPIC)[a].log().logEndOffset();
            int sessionId;
            try (Response r = fetch(c, sessionFetch(0, FetchRequest.INITIAL_EPOCH, 0,
                    List.of(at(TOPIC, a, endA, 1 << 20), at(TOPIC, b, endB, 1 << 20)), List.of()))) {
                FetchResponse full = r.message();
                sessionId = full.sessionId;
                assertThat(sessionId).as("a full fetch creates a session").isNotZero();
                assertThat(byName(r)).containsOnlyKeys(name(a), name(b));
            }
            // nothing changed: an incremental fetch waits its max wait and answers no partition at all
            try (Response r = fetch(c, sessionFetch(sessionId, 1, 200, List.of(), List.of()))) {
                assertThat(r.<FetchResponse>message().partitions).isNullOrEmpty();
            }
            // a record in b: the incremental fetch (which names no partition) wakes and answers b alone
            var waiting = c.request(ApiKey.FETCH, sessionFetch(sessionId, 2, 10_000, List.of(), List.of()), null,
                    20_000);
            try (Producer<String, byte[]> producer = Producer.create(new ProducerConfig()
                    .nameservers(cluster.nameservers()), Serdes.string(), Serdes.bytes())) {
                producer.send(new ProducerRecord<>(TOPIC, b, null, new byte[10])).get(30, TimeUnit.SECONDS);
            }
            try (Response r = waiting.get(20, TimeUnit.SECONDS)) {
                assertThat(byName(r)).containsOnlyKeys(name(b));
                assertThat(batches(r).get(name(b))).isEqualTo(1);
                assertThat(byName(r).get(name(b)).highWatermark).isEqualTo(endB + 1);
            }
            // a wrong epoch, then an unknown session: each its own error
            SluiceException wrongEpoch = failure(c, sessionFetch(sessionId, 7, 0, List.of(), List.of()));
            assertThat(wrongEpoch.code()).isEqualTo(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
            assertThat(wrongEpoch.getMessage()).contains("expects epoch 3");
            SluiceException unknown = failure(c, sessionFetch(12345, 1, 0, List.of(), List.of()));
            assertThat(unknown.code()).isEqualTo(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
            // b forgotten, a moved on: the session now fetches a alone
            try (Response r = fetch(c, sessionFetch(sessionId, 3, 0, List.of(at(TOPIC, a, 0, 1 << 20)),
                    List.of(at(TOPIC, b, 0, 0))))) {
                assertThat(byName(r)).containsOnlyKeys(name(a));
                assertThat(batches(r).get(name(a))).isEqualTo(4);
            }
            // the connection closes: the broker drops its session
            c.close();
            int id = sessionId;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    failure(broker0, sessionFetch(id, 4, 0, List.of(), List.of())).code())
                    .isEqualTo(ErrorCode.FETCH_SESSION_ID_NOT_FOUND));
        } finally {
            c.close();
        }
    }

    @Test
    void theSessionCacheIsBoundedAndEvictsTheLeastRecentlyUsed() throws Exception {
        Connection c = client.connect(cluster.brokers().get(0).address()).get(10, TimeUnit.SECONDS);
        try {
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < SESSION_SLOTS + 2; i++) {
                try (Response r = fetch(c, sessionFetch(0, FetchRequest.INITIAL_EPOCH, 0,
                        List.of(at(TOPIC, led0.get(0), 0, 1024)), List.of()))) {
                    ids.add(r.<FetchResponse>message().sessionId);
                }
            }
            assertThat(ids).doesNotContain(0).doesNotHaveDuplicates();
            // the first two gave their places to the last two; the last three are held
            for (int i = 0; i < 2; i++) {
                assertThat(failure(c, sessionFetch(ids.get(i), 1, 0, List.of(), List.of())).code())
                        .isEqualTo(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
            }
            for (int i = 2; i < ids.size(); i++) {
                try (Response r = fetch(c, sessionFetch(ids.get(i), 1, 0, List.of(), List.of()))) {
                    assertThat(r.<FetchResponse>message().sessionId).isEqualTo(ids.get(i));
                }
            }
        } finally {
            c.close();
        }
    }
}
