package io.sluice.it;

import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.protocol.ProducePartitionResult;
import io.sluice.remoting.protocol.ProducePartition;
import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.NewTopic;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.record.RecordBatchBuilder;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import io.sluice.remoting.transport.TransportConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in JVMs of their own, each talking to ZooKeeper through a TCP proxy of this test; one partition with
 * replication factor 3 and min.insync.replicas 2. The proxy of the partition's leader is cut while its process
 * stays alive: from its first refusal on, the isolated leader acknowledges no acks=all write sent straight to it,
 * even after its session expired and another broker leads; the new leader has a higher epoch and acknowledges
 * acks=all writes. Once the proxy is restored the old leader rejoins as a follower of the new one and every
 * acknowledged record is readable, in order.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class LeaderIsolationTest {
    private static final String TOPIC = "isolation";

    @TempDir
    Path dir;

    private Standalone cluster;
    private final Map<Integer, ForkedJvm> brokers = new HashMap<>();
    private final Map<Integer, TcpProxy> proxies = new HashMap<>();
    private RemotingClient raw;
    private final long startNanos = System.nanoTime();

    private void phase(String what) {
        System.out.printf("LeaderIsolationTest %6d ms: %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                - startNanos), what);
    }

    @AfterEach
    void stop() throws Exception {
        if (raw != null) {
            raw.close();
        }
        for (ForkedJvm b : brokers.values()) {
            b.close();
        }
        for (TcpProxy p : proxies.values()) {
            p.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private ForkedJvm startBroker(int id) throws Exception {
        return ServerJvms.broker(dir, proxies.get(id).address(), id, "sluice.registry.session.timeout.ms=3000");
    }

    private PartitionRoute route() {
        return cluster.nameserver().routes().route(TOPIC).partitions.get(0);
    }

    private Producer<String, String> producer() {
        return Producer.create(new ProducerConfig().nameservers(cluster.nameservers()).acks("all").lingerMs(1)
                .maxInFlightPerPartition(1).requestTimeoutMs(3_000).deliveryTimeoutMs(30_000).maxBlockMs(30_000)
                .retryBackoffMs(50), Serdes.string(), Serdes.string());
    }

    /** Writes {@code prefix-0 .. prefix-(n-1)} with acks=all and adds each to {@code acked} once acknowledged. */
    private void write(String prefix, int n, List<String> acked) throws Exception {
        try (Producer<String, String> producer = producer()) {
            List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, prefix + "-" + i)));
            }
            producer.flush();
            for (int i = 0; i < n; i++) {
                sends.get(i).get(30, TimeUnit.SECONDS);
                acked.add(prefix + "-" + i);
            }
        }
    }

    /** An acks=all produce of one record sent straight to {@code broker}; null if acknowledged, else the error. */
    private SluiceException produceDirectly(Connection broker, String value) throws Exception {
        ByteBuf batch = Unpooled.buffer(); // the connection takes it over
        RecordBatchBuilder builder = new RecordBatchBuilder(batch, System.currentTimeMillis());
        builder.append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.UTF_8));
        builder.close();
        ProduceRequest request = ProduceRequest.of((short) -1, 3_000,
                List.of(new ProducePartition(TOPIC, 0, batch.readableBytes())));
        try (Response response = broker.request(ApiKey.PRODUCE, request, batch, 10_000).get(15, TimeUnit.SECONDS)) {
            ProducePartitionResult result = response.<ProduceResponse>message().partitions.get(0);
            return result.errorCode == 0 ? null
                    : new SluiceException(ErrorCode.forId(result.errorCode), result.errorMessage);
        } catch (ExecutionException e) {
            return SluiceException.from(e.getCause());
        }
    }

    @Test
    void anIsolatedLeaderStopsAcknowledgingAndRejoinsAsFollower() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        for (int id = 1; id <= 3; id++) {
            proxies.put(id, TcpProxy.start(cluster.zookeeperAddress()));
            brokers.put(id, startBroker(id));
        }
        for (ForkedJvm b : brokers.values()) {
            b.awaitReady(120, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> cluster.nameserver().routes().brokers().size() == 3);
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2")));
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> route().leader >= 0);
        phase("cluster up, topic created");
        List<String> acked = new ArrayList<>();
        write("before", 100, acked);
        PartitionRoute before = route();
        int isolated = before.leader;
        assertThat(before.isr).hasSize(3);
        BrokerInfo info = cluster.nameserver().routes().brokers().stream().filter(b -> b.id == isolated)
                .findFirst().orElseThrow();
        raw = new RemotingClient("isolation-test", new TransportConfig(), null);
        Connection toIsolated = raw.connect(new InetSocketAddress(info.host, info.port)).get(10, TimeUnit.SECONDS);
        assertThat(produceDirectly(toIsolated, "direct-before")).as("a direct acks=all write before the cut")
                .isNull();
        acked.add("direct-before");

        phase("cutting broker " + isolated + " off ZooKeeper");
        proxies.get(isolated).cut();
        // Until the broker notices the cut it may still acknowledge (it leads, its session is alive and followers
        // fetch from it); those writes count as acknowledged. From its first refusal on it must acknowledge nothing.
        int[] probe = {0};
        SluiceException refusal = Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    String value = "direct-during-" + probe[0]++;
                    SluiceException e = produceDirectly(toIsolated, value);
                    if (e == null) {
                        acked.add(value);
                    }
                    return e;
                }, e -> e != null && e.code() == ErrorCode.NOT_LEADER);
        assertThat(refusal.getMessage()).contains("registry");
        phase("isolated leader refuses: " + refusal.getMessage());

        // the controller elects another in-sync replica once the isolated broker's session has expired; all the
        // while, writes sent straight to the isolated broker keep being refused
        List<String> ackedByIsolated = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String value = "direct-isolated-" + probe[0]++;
            if (produceDirectly(toIsolated, value) == null) {
                ackedByIsolated.add(value);
            }
            return route().leader >= 0 && route().leader != isolated;
        });
        assertThat(ackedByIsolated).as("writes the isolated leader acknowledged after its first refusal").isEmpty();
        PartitionRoute failedOver = route();
        phase("new leader " + failedOver.leader + " in epoch " + failedOver.leaderEpoch);
        assertThat(failedOver.leaderEpoch).as("the new leader's epoch").isGreaterThan(before.leaderEpoch);
        assertThat(failedOver.isr).doesNotContain(isolated);

        // the isolated broker still believes it leads (nobody could tell it otherwise) yet acknowledges nothing
        for (int i = 0; i < 5; i++) {
            SluiceException e = produceDirectly(toIsolated, "direct-deposed-" + i);
            assertThat(e).as("a direct acks=all write to the isolated leader").isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_LEADER);
        }
        write("failed-over", 100, acked);

        proxies.get(isolated).restore();
        phase("proxy restored");
        Awaitility.await().atMost(Duration.ofSeconds(45))
                .until(() -> route().isr.contains(isolated) && route().isr.size() == 3);
        PartitionRoute rejoined = route();
        phase("old leader back in the in-sync set " + rejoined.isr);
        assertThat(rejoined.leader).as("the old leader came back as a follower").isNotEqualTo(isolated);
        assertThat(rejoined.leaderEpoch).isEqualTo(failedOver.leaderEpoch);
        SluiceException asFollower = produceDirectly(toIsolated, "direct-after");
        assertThat(asFollower).isNotNull();
        assertThat(asFollower.code()).isEqualTo(ErrorCode.NOT_LEADER);
        write("after", 20, acked);

        List<String> consumed = consumeUntil(acked.get(acked.size() - 1));
        Set<String> seen = new HashSet<>();
        List<String> firstOccurrences = new ArrayList<>();
        for (String v : consumed) {
            if (seen.add(v)) {
                firstOccurrences.add(v);
            }
        }
        assertThat(seen).as("every acknowledged record is readable").containsAll(acked);
        List<String> ackedInLogOrder = new ArrayList<>(firstOccurrences);
        ackedInLogOrder.retainAll(new HashSet<>(acked));
        assertThat(ackedInLogOrder).as("acknowledged records in the order they were acknowledged").isEqualTo(acked);
        assertThat(consumed).as("no write refused by the isolated leader was stored")
                .noneMatch(v -> v.startsWith("direct-isolated-") || v.startsWith("direct-deposed-")
                        || v.equals("direct-after"));
        System.out.printf("LeaderIsolationTest: %d acknowledged, %d direct writes to the isolated leader, "
                + "leader %d (epoch %d) -> %d (epoch %d)%n", acked.size(), probe[0], isolated,
                before.leaderEpoch, failedOver.leader, failedOver.leaderEpoch);
    }

    private List<String> consumeUntil(String last) {
        List<String> values = new ArrayList<>();
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.string())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!values.contains(last) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
