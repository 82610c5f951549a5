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
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Consumer groups in one process over real sockets, logs and ZooKeeper: sharing, leaving, resuming, fencing. */
class ConsumerGroupTest {
    @TempDir
    Path dir;

    private Standalone standalone;

    @AfterEach
    void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    private void start() {
        StandaloneSettings base = StandaloneSettings.forTests(dir, 1);
        standalone = Standalone.start(new StandaloneSettings(base.host(), base.dataDir(), 0, 0, 1, base.registry(),
                base.nameserver(), i -> new io.sluice.broker.server.BrokerConfig().port(0).metricsPort(-1)));
    }

    private String metrics() throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(standalone.metricsUrl())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private String metricsText() {
        try {
            return metrics();
        } catch (Exception e) {
            return "";
        }
    }

    private void createTopic(String topic, int partitions) {
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic(topic, partitions, 1));
        }
    }

    private void produce(String topic, int partitions, int perPartition, String prefix) {
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            for (int i = 0; i < perPartition; i++) {
                for (int p = 0; p < partitions; p++) {
                    producer.send(new ProducerRecord<>(topic, p, null, prefix + p + "-" + i));
                }
            }
            producer.flush();
        }
    }

    private ConsumerConfig config(String group) {
        return new ConsumerConfig().autoOffsetReset(EARLIEST).nameservers(standalone.nameservers()).groupId(group);
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofMillis(timeoutMs)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    @Test
    void twoMembersShareSixPartitionsAndACloseHandsEverythingOverAtOnce() throws Exception {
        start();
        createTopic("orders", 6);
        produce("orders", 6, 50, "a");
        try (GroupConsumer first = new GroupConsumer(config("g1"), "orders");
             GroupConsumer second = new GroupConsumer(config("g1"), "orders")) {
            await("both members with 3 partitions each", 20_000, () -> first.assignment.get().size() == 3
                    && second.assignment.get().size() == 3);
            Set<TopicPartition> union = new HashSet<>(first.assignment.get());
            union.addAll(second.assignment.get());
            assertThat(union).hasSize(6);
            await("all 300 records", 20_000, () -> first.records.size() + second.records.size() >= 300);

            long closeStart = System.nanoTime();
            second.close();
            await("the remaining member owns all 6 partitions", 10_000, () -> first.assignment.get().size() == 6);
            long handOverMs = (System.nanoTime() - closeStart) / 1_000_000;
            System.out.println("MEASURE group hand-over after close(): " + handOverMs + " ms");

            produce("orders", 6, 10, "b");
            await("new records on every partition", 20_000, () -> first.records.stream()
                    .filter(r -> r.value().startsWith("b")).count() == 60);
            assertThat(first.errors).isEmpty();
            assertThat(second.errors).isEmpty();
        }
    }

    @Test
    void aRestartedGroupResumesFromItsCommittedOffsetsEvenAfterTheBrokerRestarts() throws Exception {
        start();
        createTopic("events", 2);
        produce("events", 2, 100, "x");
        Map<TopicPartition, Long> committed = new HashMap<>();
        io.micrometer.core.instrument.MeterRegistry registry = new io.micrometer.core.instrument.simple
                .SimpleMeterRegistry();
        try (Consumer<String, String> consumer = Consumer.create(config("g2").enableAutoCommit(false)
                .maxPollRecords(30).meterRegistry(registry), Serdes.string(), Serdes.string())) {
            consumer.subscribe(List.of("events"));
            int read = 0;
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (read < 60 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    read++;
                    committed.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
            }
            assertThat(read).isGreaterThanOrEqualTo(60);
            consumer.commitSync(committed);
            assertThat(consumer.committed(committed.keySet())).isEqualTo(committed);
            assertThat(metrics()).containsPattern("sluice_group_count(\\{[^}]*})? 1\\.0")
                    .containsPattern("sluice_group_members(\\{[^}]*})? 1\\.0")
                    .containsPattern("sluice_group_rebalances(\\{[^}]*})? 1\\.0")
                    .containsPattern("sluice_group_commit_seconds_count(\\{[^}]*})? 1(\\.0)?\\s");
            assertThat(registry.get("sluice.consumer.rebalance").tag("group", "g2").timer().count()).isEqualTo(1);
            assertThat(registry.get("sluice.consumer.commit").tag("group", "g2").timer().count()).isEqualTo(1);
            for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
                assertThat(registry.get("sluice.consumer.records.lag").tag("group", "g2")
                        .tag("partition", Integer.toString(e.getKey().partition())).gauge().value())
                        .as("consumer lag of %s", e.getKey()).isEqualTo(100.0 - consumer.position(e.getKey()));
            }
            for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
                String lag = "sluice_group_lag_records\\{group=\"g2\",partition=\"" + e.getKey().partition()
                        + "\",[^}]*topic=\"events\"[^}]*} " + (100 - e.getValue()) + "\\.0";
                await("lag gauge " + lag, 10_000, () -> java.util.regex.Pattern.compile(lag).matcher(metricsText())
                        .find());
            }
        }
        standalone.close();
        standalone = null;
        start();
        try (Consumer<String, String> consumer = Consumer.create(config("g2").enableAutoCommit(false),
                Serdes.string(), Serdes.string())) {
            assertThat(consumer.committed(committed.keySet())).isEqualTo(committed);
            consumer.subscribe(List.of("events"));
            Map<TopicPartition, Long> firstSeen = new HashMap<>();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (firstSeen.size() < committed.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    firstSeen.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
                }
            }
            assertThat(firstSeen).isEqualTo(committed);
        }
    }

    @Test
    void aRestartedStaticMemberGetsItsPartitionsBackWithoutMovingTheOthers() throws Exception {
        start();
        createTopic("static", 4);
        try (GroupConsumer other = new GroupConsumer(config("g5"), "static")) {
            GroupConsumer first = new GroupConsumer(config("g5").groupInstanceId("host-a"), "static");
            await("two members with two partitions each", 20_000, () -> first.assignment.get().size() == 2
                    && other.assignment.get().size() == 2);
            Set<TopicPartition> mine = first.assignment.get();
            Set<TopicPartition> theirs = other.assignment.get();
            int revoked = other.revocations.get();
            first.close();
            try (GroupConsumer restarted = new GroupConsumer(config("g5").groupInstanceId("host-a"), "static")) {
                await("the restarted instance owning its old partitions", 10_000,
                        () -> restarted.assignment.get().equals(mine));
                // nothing may happen to the other member: it is watched for a second (a negative has no event to
                // wait for; on a slow machine the window only grows, it never makes the test fail wrongly)
                Awaitility.await("the other member seeing no rebalance").during(Duration.ofSeconds(1))
                        .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> other.revocations.get() == revoked && other.assignment.get().equals(theirs));
                assertThat(restarted.errors).isEmpty();
            }
        }
    }

    @Test
    void pausedPartitionsYieldNothingUntilResumed() throws Exception {
        start();
        createTopic("pp", 2);
        produce("pp", 2, 20, "p");
        TopicPartition p0 = new TopicPartition("pp", 0);
        TopicPartition p1 = new TopicPartition("pp", 1);
        try (Consumer<String, String> consumer = Consumer.create(config("g4"), Serdes.string(), Serdes.string())) {
            consumer.subscribe(List.of("pp"));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (consumer.assignment().size() != 2 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(50));
            }
            consumer.pause(List.of(p0));
            assertThat(consumer.paused()).containsExactly(p0);
            int fromP1 = 0;
            deadline = System.nanoTime() + 20_000_000_000L;
            while (fromP1 < 20 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    assertThat(r.partition()).as("no record of the paused partition").isEqualTo(1);
                    fromP1++;
                }
            }
            assertThat(consumer.poll(Duration.ofMillis(300)).isEmpty()).isTrue();
            consumer.resume(List.of(p0));
            int fromP0 = 0;
            deadline = System.nanoTime() + 20_000_000_000L;
            while (fromP0 < 20 && System.nanoTime() < deadline) {
                fromP0 += consumer.poll(Duration.ofMillis(100)).records(p0).size();
            }
            assertThat(fromP0).isEqualTo(20);
            assertThat(consumer.paused()).isEmpty();
        }
    }

    @Test
    void aMemberThatStoppedPollingIsFencedAndItsCommitRefused() throws Exception {
        start();
        createTopic("jobs", 4);
        produce("jobs", 4, 10, "j");
        Consumer<String, String> zombie = Consumer.create(config("g3").enableAutoCommit(false)
                .maxPollIntervalMs(1_000), Serdes.string(), Serdes.string());
        try (GroupConsumer healthy = new GroupConsumer(config("g3"), "jobs")) {
            zombie.subscribe(List.of("jobs"));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (zombie.assignment().size() != 2 && System.nanoTime() < deadline) {
                zombie.poll(Duration.ofMillis(100));
            }
            assertThat(zombie.assignment()).hasSize(2);
            await("the healthy member owns all 4 partitions", 20_000, () -> healthy.assignment.get().size() == 4);
            Map<TopicPartition, Long> offsets = new HashMap<>();
            for (TopicPartition tp : zombie.assignment()) {
                offsets.put(tp, 5L);
            }
            assertThatThrownBy(() -> zombie.commitSync(offsets)).isInstanceOfSatisfying(SluiceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.ILLEGAL_GENERATION));
        } finally {
            zombie.close();
        }
    }
}
