package io.sluice.it;

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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One broker JVM hosting {@value #PARTITIONS} partitions (small segments, a few records in a sample of them): it
 * serves produce and fetch on the sample, an idle partition costs under 0.1 open files and 0.1 memory maps (counted
 * in {@code /proc/<pid>}), and after SIGTERM it restarts without recovering any segment, after SIGKILL recovering
 * only the segments written since their recovery point, with every acknowledged record both times.
 * {@link #PARTITIONS} is the number to raise; the time goes into creating the topics (the controller) and the
 * broker's first load, not into the restarts.
 */
class WidePartitionsTest {
    private static final int TOPICS = 10;
    private static final int PARTITIONS_PER_TOPIC = 1_000;
    private static final int PARTITIONS = TOPICS * PARTITIONS_PER_TOPIC;
    /** Partitions written and read: every 200th. */
    private static final int SAMPLE_STRIDE = 200;
    private static final int RECORDS_PER_SAMPLED = 5;
    private static final double MAX_IDLE_COST = 0.1;

    @TempDir
    Path dir;
    private Standalone cluster;
    private ForkedJvm broker;
    private String metricsUrl;

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private long startBroker() throws Exception {
        long t0 = System.nanoTime();
        broker = ServerJvms.broker(dir, cluster.zookeeperAddress(), 0, List.of("-Xmx512m"),
                "sluice.registry.session.timeout.ms=4000", "sluice.log.segment.bytes=65536",
                "sluice.broker.log.idle.close.ms=1000");
        metricsUrl = ServerJvms.metricsUrl(broker.awaitReady(120, TimeUnit.SECONDS));
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    /** Phase times go to the test's output (for the notes; never asserted). */
    private static void note(String what, long sinceNs) {
        System.out.printf("WidePartitionsTest: %s took %d ms%n", what, (System.nanoTime() - sinceNs) / 1_000_000);
    }

    private static long count(Path path) throws IOException {
        try (Stream<Path> s = Files.list(path)) {
            return s.count();
        }
    }

    private long openFiles() throws IOException {
        return count(Paths.get("/proc", Long.toString(broker.pid()), "fd"));
    }

    private long maps() throws IOException {
        return Files.readAllLines(Paths.get("/proc", Long.toString(broker.pid()), "maps")).size();
    }

    private double gauge(String name) throws Exception {
        return ServerJvms.sample(ServerJvms.scrape(metricsUrl), name, null).orElse(-1);
    }

    private static String topic(int t) {
        return "wide" + t;
    }

    private static List<TopicPartition> sample() {
        List<TopicPartition> out = new ArrayList<>();
        for (int i = 0; i < PARTITIONS; i += SAMPLE_STRIDE) {
            out.add(new TopicPartition(topic(i / PARTITIONS_PER_TOPIC), i % PARTITIONS_PER_TOPIC));
        }
        return out;
    }

    /** Sends {@link #RECORDS_PER_SAMPLED} records to each sampled partition; returns the acknowledged ones. */
    private Map<TopicPartition, Map<Long, String>> produce(String tag) throws Exception {
        Map<TopicPartition, Map<Long, String>> acked = new HashMap<>();
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(cluster.nameservers()).acks(1).lingerMs(5).requestTimeoutMs(20_000)
                .deliveryTimeoutMs(60_000).maxBlockMs(60_000), Serdes.string(), Serdes.string())) {
            List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (TopicPartition tp : sample()) {
                for (int i = 0; i < RECORDS_PER_SAMPLED; i++) {
                    String value = tag + "-" + tp + "-" + i;
                    values.add(value);
                    sends.add(producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value)));
                }
            }
            producer.flush();
            for (int i = 0; i < sends.size(); i++) {
                RecordMetadata md = sends.get(i).get(60, TimeUnit.SECONDS);
                acked.computeIfAbsent(new TopicPartition(md.topic(), md.partition()), k -> new HashMap<>())
                        .put(md.offset(), values.get(i));
            }
        }
        return acked;
    }

    /** Reads every sampled partition from the start; each acknowledged record is at its offset. */
    private void verify(Map<TopicPartition, Map<Long, String>> acked) {
        long total = acked.values().stream().mapToLong(Map::size).sum();
        Map<TopicPartition, Map<Long, String>> read = new HashMap<>();
        long n = 0;
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.string())) {
            List<TopicPartition> tps = sample();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (n < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                    read.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new HashMap<>())
                            .put(r.offset(), r.value());
                    n++;
                }
            }
        }
        assertThat(read).as("every acknowledged record, at its offset").isEqualTo(acked);
    }

    private static void merge(Map<TopicPartition, Map<Long, String>> into, Map<TopicPartition, Map<Long, String>> more) {
        more.forEach((tp, m) -> into.computeIfAbsent(tp, k -> new HashMap<>()).putAll(m));
    }

    /** Waits until idle partitions have closed their files: each costs under {@link #MAX_IDLE_COST} of each. */
    private void assertIdleCostBelowLimit(long baseFiles, long baseMaps, String when) {
        Awaitility.await(when).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat((double) (openFiles() - baseFiles) / PARTITIONS).as("open files per partition " + when)
                    .isLessThan(MAX_IDLE_COST);
            assertThat((double) (maps() - baseMaps) / PARTITIONS).as("memory maps per partition " + when)
                    .isLessThan(MAX_IDLE_COST);
        });
    }

    private void awaitHosted() {
        Awaitility.await("partitions hosted").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> gauge("sluice_broker_partition_logs") >= PARTITIONS);
    }

    @Test
    void aBrokerWithTenThousandPartitionsServesStopsAndRestartsWithEveryRecord() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        startBroker();
        long baseFiles = openFiles();
        long baseMaps = maps();
        long t = System.nanoTime();
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            for (int i = 0; i < TOPICS; i++) {
                admin.createTopic(new NewTopic(topic(i), PARTITIONS_PER_TOPIC, 1));
            }
        }
        note("creating " + PARTITIONS + " partitions", t);
        t = System.nanoTime();
        awaitHosted();
        note("the broker hosting them", t);
        t = System.nanoTime();
        Map<TopicPartition, Map<Long, String>> acked = produce("first");
        verify(acked);
        note("produce and fetch on " + sample().size() + " partitions", t);
        assertIdleCostBelowLimit(baseFiles, baseMaps, "after produce and fetch");

        // SIGTERM: a clean stop; the restart recovers nothing and opens nothing
        t = System.nanoTime();
        broker.stop();
        note("SIGTERM to exit", t);
        System.out.printf("WidePartitionsTest: restart after SIGTERM to ready took %d ms%n", startBroker());
        awaitHosted();
        assertThat(gauge("sluice_broker_log_recovered_segments")).as("segments recovered after SIGTERM").isZero();
        assertIdleCostBelowLimit(baseFiles, baseMaps, "after a clean restart");
        verify(acked);

        // SIGKILL: only the segments written since their recovery point are recovered
        merge(acked, produce("second"));
        broker.kill();
        System.out.printf("WidePartitionsTest: restart after SIGKILL to ready took %d ms%n", startBroker());
        awaitHosted();
        assertThat(gauge("sluice_broker_log_recovered_segments")).as("segments recovered after SIGKILL")
                .isPositive().isLessThanOrEqualTo(2.0 * sample().size());
        verify(acked);
        assertIdleCostBelowLimit(baseFiles, baseMaps, "after a restart from SIGKILL");
    }
}
