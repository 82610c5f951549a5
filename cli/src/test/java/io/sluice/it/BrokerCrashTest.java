package io.sluice.it;

import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionDescription;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serdes;
import io.sluice.client.TopicDescription;
import io.sluice.client.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker in its own JVM is killed with SIGKILL while a producer writes with acks=1. After a restart on the same
 * data directory every acknowledged record is there at its acknowledged offset, offsets are dense, and nothing
 * is in the log that the producer did not send, nor anything twice.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class BrokerCrashTest {
    private static final String TOPIC = "crash";
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    private Standalone cluster;
    private ForkedJvm broker;

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private ForkedJvm startBroker() throws Exception {
        ForkedJvm jvm = ServerJvms.broker(dir, cluster.zookeeperAddress(), 0,
                "sluice.registry.session.timeout.ms=3000");
        jvm.awaitReady(120, TimeUnit.SECONDS);
        return jvm;
    }

    @Test
    void acknowledgedRecordsSurviveSigkill() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        broker = startBroker();
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 1));
        }

        Map<Long, Long> ackedOffsetBySeq = new ConcurrentHashMap<>();
        Map<Long, Integer> ackedPartitionBySeq = new ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        ProducerConfig config = new ProducerConfig().nameservers(cluster.nameservers()).acks(1).lingerMs(1)
                .batchSize(16 * 1024).bufferMemory(2 * 1024 * 1024).deliveryTimeoutMs(4000).requestTimeoutMs(2000)
                .maxBlockMs(5000);
        Producer<String, String> producer = Producer.create(config, Serdes.string(), Serdes.string());
        try {
            // the broker learns of the new topic through the registry: wait until it takes writes (on a loaded
            // machine that can outlast one delivery timeout, so a first probe that fails is sent again, bounded)
            long probeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                long seq = sent.getAndIncrement();
                try {
                    RecordMetadata md = producer.send(
                            new ProducerRecord<>(TOPIC, (int) (seq % PARTITIONS), null, "seq-" + seq))
                            .get(30, TimeUnit.SECONDS);
                    ackedOffsetBySeq.put(seq, md.offset());
                    ackedPartitionBySeq.put(seq, md.partition());
                    break;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > probeDeadline) {
                        throw e;
                    }
                }
            }
            long killAfterAcks = 30_000;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean killed = false;
            while (System.nanoTime() < deadline && sent.get() < 2_000_000) {
                long seq = sent.getAndIncrement();
                try {
                    producer.send(new ProducerRecord<>(TOPIC, (int) (seq % PARTITIONS), null, "seq-" + seq))
                            .thenAccept(md -> {
                                ackedOffsetBySeq.put(seq, md.offset());
                                ackedPartitionBySeq.put(seq, md.partition());
                            });
                } catch (RuntimeException e) {
                    assertThat(killed).as("send failed before the kill: %s", e).isTrue();
                    break; // the buffer filled up after the kill
                }
                if (!killed && ackedOffsetBySeq.size() >= killAfterAcks) {
                    broker.kill();
                    killed = true;
                    deadline = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
                }
            }
            assertThat(killed).as("the broker was killed while the producer was writing").isTrue();
        } finally {
            producer.close(Duration.ofSeconds(10));
        }
        Map<Long, Long> acked = new HashMap<>(ackedOffsetBySeq);
        assertThat(acked).hasSizeGreaterThanOrEqualTo(30_000);

        broker = startBroker();
        List<TopicPartition> tps = new ArrayList<>();
        long[] logEnd = new long[PARTITIONS];
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            // the restarted broker registers again; wait until every partition is routed to it
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    admin.describeTopic(TOPIC).partitions().stream().allMatch(p -> p.leader() >= 0
                            && p.logEndOffset() >= 0));
            TopicDescription d = admin.describeTopic(TOPIC);
            for (PartitionDescription p : d.partitions()) {
                tps.add(new TopicPartition(TOPIC, p.partition()));
                logEnd[p.partition()] = p.logEndOffset();
            }
        }
        Map<Integer, Map<Long, Long>> seqByOffset = new HashMap<>();
        Map<Long, Integer> timesSeen = new HashMap<>();
        long expectedTotal = 0;
        for (long e : logEnd) {
            expectedTotal += e;
        }
        long read = 0;
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.string())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long[] next = new long[PARTITIONS];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read < expectedTotal && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                    assertThat(r.offset()).as("dense offsets").isEqualTo(next[r.partition()]);
                    next[r.partition()]++;
                    assertThat(r.value()).startsWith("seq-");
                    long seq = Long.parseLong(r.value().substring(4));
                    assertThat(seq).as("only records the producer sent").isLessThan(sent.get());
                    assertThat(seq % PARTITIONS).as("record in the partition it was sent to").isEqualTo(r.partition());
                    timesSeen.merge(seq, 1, Integer::sum);
                    seqByOffset.computeIfAbsent(r.partition(), k -> new HashMap<>()).put(r.offset(), seq);
                    read++;
                }
            }
        }
        assertThat(read).isEqualTo(expectedTotal);
        assertThat(timesSeen.values()).as("no record twice").allMatch(n -> n == 1);
        for (Map.Entry<Long, Long> e : acked.entrySet()) {
            long seq = e.getKey();
            int partition = ackedPartitionBySeq.get(seq);
            assertThat(seqByOffset.getOrDefault(partition, Map.of()).get(e.getValue()))
                    .as("acknowledged seq-%d at %d/%d", seq, partition, e.getValue()).isEqualTo(seq);
        }
    }
}
