package io.sluice.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.broker.server.BrokerServer;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.TopicNames;
import io.sluice.remoting.protocol.TopicRoute;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The offsets topic gets the nameserver's {@code sluice.nameserver.offsets.topic.replication.factor} (default 3),
 * not whatever the first group client sees: with one broker live, group coordination is refused with
 * COORDINATOR_NOT_AVAILABLE saying how many brokers it waits for, and nothing is created on that one disk; once three
 * are live the same consumer commits, and the topic has three replicas and min.insync.replicas 2.
 */
class OffsetsTopicReplicationTest {
    @TempDir
    Path dir;

    private Standalone cluster;
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void startBroker(int id) {
        RegistryClient registry = RegistryClient.connect(new RegistryConfig().connect(cluster.zookeeperAddress()));
        started.add(registry);
        started.add(new BrokerServer(new BrokerConfig().id(id).port(0).metricsPort(-1)
                .dataDir(dir.resolve("broker-" + id)), registry, new SimpleMeterRegistry()).start());
    }

    @Test
    void theOffsetsTopicWaitsForItsReplicationFactorInLiveBrokers() {
        cluster = Standalone.start(new StandaloneSettings("127.0.0.1", dir, 0, -1, 0, new RegistryConfig(),
                new NameServerConfig().port(0).metricsPort(-1), i -> new BrokerConfig()));
        startBroker(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.nameserver().routes().brokers().size() == 1);
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic("orders", 1, 1));
        }
        TopicPartition tp = new TopicPartition("orders", 0);
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(cluster.nameservers()).groupId("billing").defaultApiTimeoutMs(3_000),
                Serdes.string(), Serdes.string())) {
            consumer.assign(List.of(tp));
            SluiceException refused = catchThrowableOfType(SluiceException.class,
                    () -> consumer.commitSync(Map.of(tp, 0L)));
            assertThat(refused).as("a commit with one broker of the three the offsets topic needs").isNotNull();
            assertThat(refused.code()).isEqualTo(ErrorCode.COORDINATOR_NOT_AVAILABLE);
            assertThat(refused.getMessage()).contains(TopicNames.OFFSETS_TOPIC, "needs 3 live brokers", "1 are live",
                    NameServerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR);
            assertThat(cluster.nameserver().routes().route(TopicNames.OFFSETS_TOPIC)).as("offsets topic created")
                    .isNull();

            startBroker(1);
            startBroker(2);
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.nameserver().routes().brokers().size() == 3);
            consumer.commitSync(Map.of(tp, 0L));
            assertThat(consumer.committed(Set.of(tp))).containsEntry(tp, 0L);
        }
        TopicRoute offsets = cluster.nameserver().routes().route(TopicNames.OFFSETS_TOPIC);
        assertThat(offsets.replicationFactor).isEqualTo(3);
        assertThat(offsets.partitions).hasSize(TopicNames.OFFSETS_TOPIC_PARTITIONS)
                .allSatisfy(p -> assertThat(p.replicas).hasSize(3));
        assertThat(offsets.configs).containsEntry("min.insync.replicas", "2");
    }
}
