package io.sluice.it;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.broker.partition.Partition;
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
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.SluiceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication with three brokers in one process (real sockets, logs and ZooKeeper): acks=all writes reach every
 * replica, replica logs end up identical, and when a leader goes away another in-sync replica takes over with
 * nothing acknowledged lost.
 */
class ReplicationTest {
    @TempDir
    Path dir;

    private Standalone standalone;

    @AfterEach
    void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    private void createTopic(String topic, int partitions, int rf, Map<String, String> configs) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> standalone.nameserver().routes().brokers().size() == standalone.brokers().size());
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic(topic, partitions, rf, configs));
        }
    }

    private Producer<byte[], String> producer() {
        return Producer.create(new ProducerConfig().nameservers(standalone.nameservers()).acks("all")
                .requestTimeoutMs(5_000).deliveryTimeoutMs(30_000), Serdes.bytes(), Serdes.string());
    }

    private List<String> consumeAll(String topic, int partition, int expected) {
        List<String> values = new ArrayList<>();
        try (Consumer<byte[], String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()), Serdes.bytes(), Serdes.string())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    private List<Partition> replicas(String topic, int partition) {
        List<Partition> out = new ArrayList<>();
        for (BrokerServer b : standalone.brokers()) {
            Partition[] parts = b.partitions().partitions(topic);
            if (parts != null && parts[partition] != null) {
                out.add(parts[partition]);
            }
        }
        return out;
    }

    private Partition leader(String topic, int partition) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> replicas(topic, partition).stream()
                .filter(Partition::isLeader).findFirst().orElse(null), p -> p != null);
    }

    @Test
    void acksAllWritesReachEveryReplicaAndSurviveTheLeadersDeparture() throws Exception {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 3));
        createTopic("r", 1, 3, Map.of("min.insync.replicas", "2"));
        Partition first = leader("r", 0);
        try (Producer<byte[], String> producer = producer()) {
            List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                acks.add(producer.send(new ProducerRecord<>("r", null, "v" + i)));
            }
            producer.flush();
            for (CompletableFuture<RecordMetadata> f : acks) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        // every replica has the acknowledged records, the same ones at the same offsets
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (Partition p : replicas("r", 0)) {
                assertThat(p.log().logEndOffset()).as("log end of %s", p).isEqualTo(2_000);
            }
        });
        assertThat(first.log().highWatermark()).isEqualTo(2_000);

        int leaderId = first.leaderId();
        BrokerServer leaderBroker = standalone.brokers().stream().filter(b -> b.id() == leaderId).findFirst()
                .orElseThrow();
        leaderBroker.close();
        Partition second = await().atMost(Duration.ofSeconds(10)).until(() -> replicas("r", 0).stream()
                .filter(p -> p.isLeader() && p.leaderId() != leaderId).findFirst().orElse(null), p -> p != null);
        assertThat(second.leaderEpoch()).isGreaterThan(first.leaderEpoch() - 1);

        try (Producer<byte[], String> producer = producer()) {
            List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 2_000; i < 3_000; i++) {
                acks.add(producer.send(new ProducerRecord<>("r", null, "v" + i)));
            }
            producer.flush();
            for (CompletableFuture<RecordMetadata> f : acks) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        List<String> values = consumeAll("r", 0, 3_000);
        assertThat(values).hasSize(3_000);
        for (int i = 0; i < 3_000; i++) {
            assertThat(values.get(i)).isEqualTo("v" + i);
        }
    }

    @Test
    void acksAllIsRefusedWhenFewerThanMinInSyncReplicasRemain() throws Exception {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 2));
        createTopic("m", 1, 2, Map.of("min.insync.replicas", "2"));
        Partition leader = leader("m", 0);
        try (Producer<byte[], String> producer = producer()) {
            producer.send(new ProducerRecord<>("m", null, "before")).get(10, TimeUnit.SECONDS);
        }
        BrokerServer follower = standalone.brokers().stream().filter(b -> b.id() != leader.leaderId())
                .findFirst().orElseThrow();
        follower.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> leader.isr().size() == 1);
        try (Producer<byte[], String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()).acks("all").requestTimeoutMs(2_000).deliveryTimeoutMs(3_000)
                .retries(0), Serdes.bytes(), Serdes.string())) {
            CompletableFuture<RecordMetadata> refused = producer.send(new ProducerRecord<>("m", null, "after"));
            assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SluiceException.class)
                    .hasMessageContaining("NOT_ENOUGH_REPLICAS");
        }
    }
}
