package io.sluice.it;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.broker.server.BrokerServer;
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
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A consumer reading many partitions through fetch sessions keeps reading every record when its brokers go away:
 * after a leader change (its partitions move to the other broker, where it starts with a full fetch) and after a
 * broker restart (the restarted broker holds no session; the consumer's next fetch there is a full one, then
 * incremental ones again). Followers replicate through the same sessions, so the restarted broker catches up and
 * leads again with every acknowledged record.
 */
class FetchSessionFailoverTest {
    private static final String TOPIC = "moving";
    private static final int PARTITIONS = 6;
    private static final int PER_PHASE = 300;

    @TempDir
    Path dir;

    private Standalone cluster;
    private final BrokerServer[] brokers = new BrokerServer[2];
    private final RegistryClient[] registries = new RegistryClient[2];
    private final SimpleMeterRegistry[] meters = new SimpleMeterRegistry[2];

    @AfterEach
    void stop() {
        for (int i = 0; i < 2; i++) {
            stopBroker(i);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void startBroker(int id) {
        registries[id] = RegistryClient.connect(new RegistryConfig().connect(cluster.zookeeperAddress()));
        meters[id] = new SimpleMeterRegistry();
        brokers[id] = new BrokerServer(new BrokerConfig().id(id).port(0).metricsPort(-1)
                .dataDir(dir.resolve("broker-" + id)), registries[id], meters[id]).start();
    }

    private void stopBroker(int id) {
        if (brokers[id] != null) {
            brokers[id].close();
            brokers[id] = null;
        }
        if (registries[id] != null) {
            registries[id].close();
            registries[id] = null;
        }
    }

    private double fetches(int broker, String kind) {
        Counter c = meters[broker].find("sluice.broker.fetch.requests").tag("kind", kind).counter();
        return c == null ? 0 : c.count();
    }

    private void produce(Producer<String, String> producer, int phase) throws Exception {
        for (int i = 0; i < PER_PHASE; i++) {
            producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, phase + "-" + i)).get(60, TimeUnit.SECONDS);
        }
    }

    private static void readUntil(Consumer<String, String> consumer, Set<String> values, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (values.size() < count && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                values.add(r.value());
            }
        }
        assertThat(values).hasSize(count);
    }

    private boolean ledBy(int broker) {
        Partition[] hosted = brokers[broker].partitions().partitions(TOPIC);
        if (hosted == null) {
            return false;
        }
        for (Partition p : hosted) {
            if (p == null || !p.isLeader()) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aConsumerFallsBackToFullFetchesAfterALeaderChangeAndABrokerRestartAndReadsEveryRecord() throws Exception {
        cluster = Standalone.start(new StandaloneSettings("127.0.0.1", dir, 0, -1, 0, new RegistryConfig(),
                new NameServerConfig().port(0).metricsPort(-1), i -> new BrokerConfig()));
        startBroker(0);
        startBroker(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.nameserver().routes().brokers().size() == 2);
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 2));
        }
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(new TopicPartition(TOPIC, p));
        }
        Set<String> values = new HashSet<>();
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(cluster.nameservers()).acks("all").deliveryTimeoutMs(60_000), Serdes.string(),
                Serdes.string());
             Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                     .nameservers(cluster.nameservers()).fetchMaxWaitMs(200), Serdes.string(), Serdes.string())) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            produce(producer, 1);
            readUntil(consumer, values, PER_PHASE);
            double incrementalBefore = fetches(0, "incremental") + fetches(1, "incremental");
            // idle polls: the sessions go on with incremental fetches
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.poll(Duration.ofMillis(100)).isEmpty()
                    && fetches(0, "incremental") + fetches(1, "incremental") > incrementalBefore);

            // leader change: broker 0 goes away, broker 1 leads everything
            stopBroker(0);
            await().atMost(Duration.ofSeconds(30)).until(() -> ledBy(1));
            produce(producer, 2);
            readUntil(consumer, values, 2 * PER_PHASE);

            // broker 0 restarts (no sessions), catches up as a follower, then leads everything when broker 1 goes
            startBroker(0);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (Partition p : brokers[1].partitions().partitions(TOPIC)) {
                    if (!p.isr().contains(0)) {
                        return false;
                    }
                }
                return true;
            });
            stopBroker(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> ledBy(0));
            produce(producer, 3);
            readUntil(consumer, values, 3 * PER_PHASE);
            await().atMost(Duration.ofSeconds(10)).until(() -> consumer.poll(Duration.ofMillis(100)).isEmpty()
                    && fetches(0, "incremental") > 0);
            assertThat(fetches(0, "full")).as("full fetches at the restarted broker").isPositive();
        }
        for (int phase = 1; phase <= 3; phase++) {
            for (int i = 0; i < PER_PHASE; i++) {
                assertThat(values).contains(phase + "-" + i);
            }
        }
        // the restarted broker replicated phase 2 from broker 1 in its own fetch session: it has every record
        long records = 0;
        for (Partition p : brokers[0].partitions().partitions(TOPIC)) {
            records += p.log().logEndOffset() - p.log().logStartOffset();
        }
        assertThat(records).isGreaterThanOrEqualTo(3L * PER_PHASE);
    }
}
