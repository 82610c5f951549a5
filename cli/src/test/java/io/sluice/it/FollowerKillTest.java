package io.sluice.it;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.sluice.remoting.protocol.PartitionRoute;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in JVMs of their own, one partition with replication factor 3 and min.insync.replicas 2. One
 * follower is killed with SIGKILL: acks=all writes go on. A second is killed: acks=all writes are refused with
 * NOT_ENOUGH_REPLICAS. Both come back: they catch up, rejoin the in-sync set, and every acknowledged record is
 * there, in order.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class FollowerKillTest {
    private static final String TOPIC = "followers";

    @TempDir
    Path dir;

    private Standalone cluster;
    private final Map<Integer, ForkedJvm> brokers = new HashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (ForkedJvm b : brokers.values()) {
            b.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private ForkedJvm startBroker(int id) throws Exception {
        return ServerJvms.broker(dir, cluster.zookeeperAddress(), id, "sluice.registry.session.timeout.ms=3000",
                "sluice.replica.lag.time.max.ms=3000");
    }

    private PartitionRoute route() {
        return cluster.nameserver().routes().route(TOPIC).partitions.get(0);
    }

    private Producer<String, String> producer() {
        return Producer.create(new ProducerConfig().nameservers(cluster.nameservers()).acks("all").lingerMs(1)
                .maxInFlightPerPartition(1).requestTimeoutMs(3_000).deliveryTimeoutMs(20_000).maxBlockMs(20_000),
                Serdes.string(), Serdes.string());
    }

    private void write(int from, int to) throws Exception {
        try (Producer<String, String> producer = producer()) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, String.valueOf(i)));
            }
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "end-" + to)).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void followersLeaveAndRejoinTheInSyncSetAndNothingAcknowledgedIsLost() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        for (int id = 1; id <= 3; id++) {
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
        int leader = route().leader;
        List<Integer> followers = new ArrayList<>(route().replicas);
        followers.remove(Integer.valueOf(leader));

        write(0, 5_000);
        brokers.get(followers.get(0)).kill();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> route().isr.size() == 2);
        write(5_000, 10_000);

        // the last follower freezes while a batch waits for it: the leader takes it out of the in-sync set after the
        // lag time, which lets the high watermark pass the batch, but one copy is not what acks=all promised
        brokers.get(followers.get(1)).pause();
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(cluster.nameservers()).acks("all").retries(0).requestTimeoutMs(20_000)
                .deliveryTimeoutMs(25_000), Serdes.string(), Serdes.string())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, 0, null, "refused"))
                    .get(30, TimeUnit.SECONDS)).hasMessageContaining("NOT_ENOUGH_REPLICAS_AFTER_APPEND");
        }
        brokers.get(followers.get(1)).resume();
        Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> route().isr.size() == 2);

        brokers.get(followers.get(1)).kill();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> route().isr.size() == 1);
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(cluster.nameservers()).acks("all").retries(0).requestTimeoutMs(2_000)
                .deliveryTimeoutMs(3_000), Serdes.string(), Serdes.string())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, 0, null, "refused"))
                    .get(10, TimeUnit.SECONDS)).hasMessageContaining("NOT_ENOUGH_REPLICAS");
        }

        for (int id : followers) {
            brokers.put(id, startBroker(id));
        }
        for (int id : followers) {
            brokers.get(id).awaitReady(120, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> route().isr.size() == 3);
        assertThat(route().leader).isEqualTo(leader);
        write(10_000, 12_000);

        List<String> values = new ArrayList<>();
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.string())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!values.contains("end-12000") && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        List<Integer> numbers = new ArrayList<>();
        for (String v : values) {
            if (!v.startsWith("end-") && !v.equals("refused")) {
                numbers.add(Integer.parseInt(v));
            }
        }
        List<Integer> distinctInOrder = numbers.stream().distinct().toList();
        assertThat(distinctInOrder).hasSize(12_000);
        for (int i = 0; i < 12_000; i++) {
            assertThat(distinctInOrder.get(i)).isEqualTo(i);
        }
    }
}
