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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Broadcast consumption and pattern subscription over a real broker. */
class BroadcastAndPatternTest {
    @TempDir
    Path dir;

    private Standalone standalone;

    @BeforeEach
    void start() {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 1));
    }

    @AfterEach
    void stop() {
        standalone.close();
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

    private ConsumerConfig broadcastConfig(String instance) {
        return new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()).groupId("bc").groupInstanceId(instance)
                .broadcast(true);
    }

    /** Polls until {@code count} records arrived (at most 30 s), then 300 ms more to catch extras. */
    private static List<ConsumerRecord<String, String>> readAtLeast(Consumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (out.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(out::add);
        }
        consumer.poll(Duration.ofMillis(300)).forEach(out::add);
        return out;
    }

    @Test
    void everyBroadcastMemberReadsEveryRecordAndResumesFromItsOwnOffsets() {
        createTopic("news", 3);
        produce("news", 3, 30, "a");
        List<ConsumerRecord<String, String>> first;
        List<ConsumerRecord<String, String>> second;
        try (Consumer<String, String> a = Consumer.create(broadcastConfig("a"), Serdes.string(), Serdes.string());
             Consumer<String, String> b = Consumer.create(broadcastConfig("b"), Serdes.string(), Serdes.string())) {
            a.subscribe(List.of("news"));
            b.subscribe(List.of("news"));
            first = readAtLeast(a, 90);
            second = readAtLeast(b, 90);
            assertThat(a.assignment()).hasSize(3);
            assertThat(b.assignment()).hasSize(3);
        }
        Set<String> all = new HashSet<>();
        first.forEach(r -> all.add(r.value()));
        assertThat(first).hasSize(90);
        assertThat(all).hasSize(90);
        assertThat(second).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(all);

        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            Map<TopicPartition, Long> expected = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                expected.put(new TopicPartition("news", p), 30L);
            }
            assertThat(admin.listGroupOffsets("bc@a")).as("a's offsets, committed on close").isEqualTo(expected);
            assertThat(admin.listGroupOffsets("bc@b")).isEqualTo(expected);
        }

        produce("news", 3, 5, "z");
        try (Consumer<String, String> a = Consumer.create(broadcastConfig("a"), Serdes.string(), Serdes.string())) {
            a.subscribe(List.of("news"));
            List<ConsumerRecord<String, String>> resumed = readAtLeast(a, 15);
            assertThat(resumed).as("only what a had not read").hasSize(15)
                    .allSatisfy(r -> assertThat(r.value()).startsWith("z").isNotNull());
        }
    }

    @Test
    void theCliConsumesInBroadcastModeWithItsOwnOffsets() {
        createTopic("feed", 2);
        produce("feed", 2, 3, "f");
        for (String instance : List.of("x", "y")) {
            java.io.StringWriter out = new java.io.StringWriter();
            int code = io.sluice.cli.SluiceCli.execute(new java.io.PrintWriter(out, true),
                    new java.io.PrintWriter(new java.io.StringWriter(), true), "consume", "--topic", "feed", "--group",
                    "fg", "--broadcast", instance, "--from-beginning", "--max-messages", "6", "--timeout-ms", "20000",
                    "--nameserver", standalone.nameservers());
            assertThat(code).isZero();
            assertThat(out.toString().strip().split("\\R")).as("instance %s reads all", instance).hasSize(6);
        }
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            assertThat(admin.listGroupOffsets("fg@x")).containsEntry(new TopicPartition("feed", 0), 3L)
                    .containsEntry(new TopicPartition("feed", 1), 3L);
        }
    }

    @Test
    void broadcastNeedsAGroupInstanceId() {
        assertThatThrownBy(() -> Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers())
                .groupId("bc").broadcast(true), Serdes.string(), Serdes.string()))
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains(ConsumerConfig.BROADCAST);
                });
    }

    @Test
    void aPatternSubscriptionReadsMatchingTopicsAndPicksUpOnesCreatedLater() {
        createTopic("metrics-cpu", 2);
        createTopic("logs", 1);
        produce("metrics-cpu", 2, 10, "c");
        produce("logs", 1, 10, "l");
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()).groupId("pg").metadataMaxAgeMs(500)
                .partitionAssignmentStrategy("cooperative-sticky"), Serdes.string(), Serdes.string())) {
            consumer.subscribe(Pattern.compile("metrics-.*"));
            List<ConsumerRecord<String, String>> read = readAtLeast(consumer, 20);
            assertThat(read).hasSize(20).allSatisfy(r -> assertThat(r.topic()).isEqualTo("metrics-cpu"));
            assertThat(consumer.subscription()).containsExactly("metrics-cpu");

            createTopic("metrics-mem", 2);
            produce("metrics-mem", 2, 10, "m");
            List<ConsumerRecord<String, String>> later = readAtLeast(consumer, 20);
            assertThat(later).hasSize(20).allSatisfy(r -> assertThat(r.topic()).isEqualTo("metrics-mem"));
            assertThat(consumer.subscription()).containsExactly("metrics-cpu", "metrics-mem");
            assertThat(consumer.assignment()).hasSize(4);
        }
    }
}
