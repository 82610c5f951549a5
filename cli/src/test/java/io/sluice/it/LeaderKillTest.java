package io.sluice.it;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in JVMs of their own, a topic with replication factor 3 and min.insync.replicas 2, a producer
 * writing a numbered sequence with acks=all; the leader of partition 0 is killed with SIGKILL mid-stream. Every
 * acknowledged record is consumed afterwards, in order per partition (a retried batch may appear twice; the test
 * reports how many). Default settings (a 10 s registry session): the controller finds the killed process by its
 * refused connections, not by waiting for the session to expire.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class LeaderKillTest {
    private static final String TOPIC = "failover";
    private static final int PARTITIONS = 2;

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
        return ServerJvms.broker(dir, cluster.zookeeperAddress(), id);
    }

    @Test
    void everyAcknowledgedRecordSurvivesTheLeadersSigkill() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        for (int id = 1; id <= 3; id++) {
            brokers.put(id, startBroker(id));
        }
        for (ForkedJvm b : brokers.values()) {
            b.awaitReady(120, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> cluster.nameserver().routes().brokers().size() == 3);
        int victim;
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2")));
        }
        victim = cluster.nameserver().routes().route(TOPIC).partitions.get(0).leader;

        Map<Integer, Set<Long>> acked = new ConcurrentHashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            acked.put(p, ConcurrentHashMap.newKeySet());
        }
        AtomicLong killedAtNanos = new AtomicLong();
        AtomicLong firstAckAfterKillNanos = new AtomicLong();
        long sent = 0;
        ProducerConfig config = new ProducerConfig().nameservers(cluster.nameservers()).acks("all").lingerMs(1)
                .maxInFlightPerPartition(1).requestTimeoutMs(3_000).deliveryTimeoutMs(30_000).maxBlockMs(30_000)
                .retryBackoffMs(50);
        try (Producer<String, String> producer = Producer.create(config, Serdes.string(), Serdes.string())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "warmup")).get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            boolean killed = false;
            while (System.nanoTime() < deadline && sent < 100_000) {
                long seq = sent++;
                int partition = (int) (seq % PARTITIONS);
                long sentAt = System.nanoTime();
                producer.send(new ProducerRecord<>(TOPIC, partition, null, String.valueOf(seq))).thenAccept(md -> {
                    acked.get(md.partition()).add(seq);
                    if (md.partition() == 0 && killedAtNanos.get() != 0 && sentAt > killedAtNanos.get()) {
                        firstAckAfterKillNanos.compareAndSet(0, System.nanoTime());
                    }
                });
                if (!killed && acked.get(0).size() >= 5_000) {
                    killedAtNanos.set(System.nanoTime());
                    brokers.get(victim).kill();
                    killed = true;
                }
                if (killed && firstAckAfterKillNanos.get() != 0 && acked.get(0).size() >= 10_000) {
                    break;
                }
                if (seq % 200 == 0) {
                    Thread.sleep(1); // keep the machine shared with other tests usable
                }
            }
            producer.flush();
            assertThat(killed).as("the leader was killed mid-stream").isTrue();
        }
        assertThat(firstAckAfterKillNanos.get()).as("writes were acknowledged after the kill").isNotZero();
        long failoverMs = TimeUnit.NANOSECONDS.toMillis(firstAckAfterKillNanos.get() - killedAtNanos.get());

        int duplicates = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            Set<Long> expected = acked.get(p);
            List<Long> seen = consume(p, expected);
            Set<Long> distinct = new HashSet<>();
            long last = -1;
            for (long seq : seen) {
                if (!distinct.add(seq)) {
                    duplicates++;
                    continue;
                }
                assertThat(seq).as("order of first occurrences in partition %d", p).isGreaterThan(last);
                last = seq;
            }
            Set<Long> lost = new HashSet<>(expected);
            lost.removeAll(distinct);
            assertThat(lost).as("acknowledged records of partition %d never consumed", p).isEmpty();
        }
        System.out.printf("LeaderKillTest: sent %d, acknowledged %d, duplicates %d, failover %d ms%n", sent,
                acked.get(0).size() + acked.get(1).size(), duplicates, failoverMs);
    }

    private List<Long> consume(int partition, Set<Long> expected) {
        List<Long> values = new ArrayList<>();
        Set<Long> missing = new HashSet<>(expected);
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.string())) {
            TopicPartition tp = new TopicPartition(TOPIC, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!r.value().equals("warmup")) {
                        long seq = Long.parseLong(r.value());
                        values.add(seq);
                        missing.remove(seq);
                    }
                }
            }
        }
        return values;
    }
}
