package io.sluice.it;

import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.NewTopic;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow is not dead, end to end: an acks=all producer in a JVM of its own writes numbered records to a partition
 * replicated on three broker JVMs while first the producer and then the partition's leader are frozen (SIGSTOP) for
 * longer than the transport's old 5 s limit, twice each. Afterwards no connection was closed for liveness on either
 * side (the {@code sluice_transport_connections_closed_total} metric of the producer and of every broker), nothing
 * failed, and reading the partition yields every acknowledged number exactly once: no answer was lost to a wrongly
 * closed connection, so the producer had nothing to resend.
 */
class StarvedClientTest {
    private static final String TOPIC = "starved";
    private static final long FREEZE_MS = 7_500;
    private static final Pattern ACKED = Pattern.compile("ACKED (\\d+)");

    @TempDir
    Path dir;

    private Standalone cluster;
    private final Map<Integer, ForkedJvm> brokers = new HashMap<>();
    private final Map<Integer, String> metrics = new HashMap<>();
    private ForkedJvm producer;

    @AfterEach
    void stop() throws Exception {
        if (producer != null) {
            producer.close(); // SIGKILL ends a stopped process too
        }
        for (ForkedJvm b : brokers.values()) {
            b.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aFrozenProducerAndAFrozenLeaderKeepTheirConnectionsAndNoRecordIsWrittenTwice() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        for (int id = 1; id <= 3; id++) {
            // sessions and the lag limit far above the freezes: only the transport's liveness rules are at stake
            brokers.put(id, ServerJvms.broker(dir, cluster.zookeeperAddress(), id,
                    "sluice.registry.session.timeout.ms=40000", "sluice.replica.lag.time.max.ms=40000"));
        }
        for (Map.Entry<Integer, ForkedJvm> b : brokers.entrySet()) {
            metrics.put(b.getKey(), ServerJvms.metricsUrl(b.getValue().awaitReady(120, TimeUnit.SECONDS)));
        }
        Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> cluster.nameserver().routes().brokers().size() == 3);
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2")));
        }
        int leader = cluster.nameserver().routes().route(TOPIC).partitions.get(0).leader;

        Path stopFile = dir.resolve("stop");
        Path resultFile = dir.resolve("result");
        producer = ForkedJvm.start(dir.resolve("producer.log"), "PRODUCER READY", NumberedProducerMain.class.getName(),
                cluster.nameservers(), TOPIC, stopFile.toString(), resultFile.toString());
        producer.awaitReady(120, TimeUnit.SECONDS);

        for (int round = 0; round < 2; round++) {
            freeze(producer);
            freeze(brokers.get(leader));
        }
        Files.writeString(stopFile, "stop");
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> Files.exists(resultFile));

        List<String> lines = Files.readAllLines(resultFile);
        String summary = lines.get(0);
        Set<Long> acked = new HashSet<>();
        List<String> failed = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.startsWith("F ")) {
                failed.add(line);
            } else {
                acked.add(Long.parseLong(line));
            }
        }
        assertThat(summary).as("the producer's own connections").contains("liveness-closes=0");
        assertThat(failed).as("failed sends").isEmpty();
        for (Map.Entry<Integer, String> m : metrics.entrySet()) {
            assertThat(livenessCloses(m.getValue())).as("connections broker %d closed for liveness", m.getKey())
                    .isZero();
        }

        List<Long> stored = consumeAll();
        Set<Long> distinct = new HashSet<>();
        List<Long> duplicates = new ArrayList<>();
        for (long number : stored) {
            if (!distinct.add(number)) {
                duplicates.add(number);
            }
        }
        Set<Long> lost = new HashSet<>(acked);
        lost.removeAll(distinct);
        System.out.printf("StarvedClientTest: %s, stored %d, duplicates %d%n", summary, stored.size(),
                duplicates.size());
        assertThat(lost).as("acknowledged records never stored").isEmpty();
        assertThat(duplicates).as("records stored twice").isEmpty();
    }

    /** Freezes {@code jvm} for {@link #FREEZE_MS}, then waits until the producer has had 100 more acknowledgements. */
    private void freeze(ForkedJvm jvm) throws Exception {
        jvm.pause();
        try {
            Thread.sleep(FREEZE_MS);
        } finally {
            jvm.resume();
        }
        long before = acked();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> acked() >= before + 100);
    }

    /** The producer's latest reported acknowledgement count. */
    private long acked() {
        long last = 0;
        Matcher m = ACKED.matcher(producer.tail());
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    private static double livenessCloses(String metricsUrl) throws Exception {
        double sum = 0;
        for (Map.Entry<String, Double> sample : ServerJvms.scrape(metricsUrl).entrySet()) {
            if (sample.getKey().startsWith("sluice_transport_connections_closed_total")) {
                sum += sample.getValue();
            }
        }
        return sum;
    }

    /** Every value in partition 0, in offset order, up to its end offset. */
    private List<Long> consumeAll() {
        List<Long> values = new ArrayList<>();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.string())) {
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(Long.parseLong(r.value()));
                }
            }
            assertThat(consumer.position(tp)).as("read up to the end offset").isGreaterThanOrEqualTo(end);
        }
        return values;
    }
}
