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
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/** Sluice in one process over real sockets and real logs: produce, consume, keyed partitioning, restart. */
class StandaloneEndToEndTest {
    @TempDir
    Path dir;

    private Standalone standalone;

    @AfterEach
    void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    private Standalone start() {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 1));
        return standalone;
    }

    private void createTopic(String topic, int partitions) {
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic(topic, partitions, 1));
        }
    }

    private static List<TopicPartition> partitions(String topic, int n) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        return tps;
    }

    @Test
    void millionRecordsOverEightPartitionsComeBackWhole() throws Exception {
        start();
        createTopic("orders", 8);
        int total = 1_000_000;
        try (Producer<byte[], String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()), Serdes.bytes(), Serdes.string())) {
            CompletableFuture<RecordMetadata> last = null;
            for (int i = 0; i < total; i++) {
                last = producer.send(new ProducerRecord<>("orders", null, "order-" + i));
            }
            producer.flush();
            assertThat(last.get(10, TimeUnit.SECONDS).offset()).isGreaterThanOrEqualTo(0);
        }

        BitSet seen = new BitSet(total);
        long[] lastOffset = new long[8];
        int[] lastSeq = new int[8];
        java.util.Arrays.fill(lastOffset, -1);
        java.util.Arrays.fill(lastSeq, -1);
        int count = 0;
        try (Consumer<byte[], String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()), Serdes.bytes(), Serdes.string())) {
            consumer.assign(partitions("orders", 8));
            consumer.seekToBeginning(partitions("orders", 8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (count < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], String> r : consumer.poll(Duration.ofMillis(500))) {
                    int seq = Integer.parseInt(r.value().substring("order-".length()));
                    assertThat(seen.get(seq)).as("record %s delivered twice", r.value()).isFalse();
                    seen.set(seq);
                    assertThat(r.offset()).as("dense offsets in partition %d", r.partition())
                            .isEqualTo(lastOffset[r.partition()] + 1);
                    assertThat(seq).as("producer order kept in partition %d", r.partition())
                            .isGreaterThan(lastSeq[r.partition()]);
                    lastOffset[r.partition()] = r.offset();
                    lastSeq[r.partition()] = seq;
                    count++;
                }
            }
        }
        assertThat(count).isEqualTo(total);
        assertThat(seen.cardinality()).isEqualTo(total);
        long partitionsUsed = java.util.Arrays.stream(lastOffset).filter(o -> o >= 0).count();
        assertThat(partitionsUsed).as("keyless records spread over the partitions").isEqualTo(8);
    }

    /**
     * Kafka's default {@code auto.offset.reset}: a consumer without a position or committed offset starts at the log
     * end and reads only what is produced after it; EARLIEST reads the records already there.
     */
    @Test
    void aNewConsumerStartsAtTheLogEndByDefault() throws Exception {
        start();
        createTopic("news", 1);
        TopicPartition tp = new TopicPartition("news", 0);
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            for (String v : List.of("old-1", "old-2", "old-3")) {
                producer.send(new ProducerRecord<>("news", 0, null, v)).get(30, TimeUnit.SECONDS);
            }
            try (Consumer<String, String> latest = Consumer.create(new ConsumerConfig()
                    .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string());
                 Consumer<String, String> earliest = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                         .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
                latest.assign(List.of(tp));
                earliest.assign(List.of(tp));
                assertThat(latest.position(tp)).as("the default's position with 3 records in the log").isEqualTo(3);
                producer.send(new ProducerRecord<>("news", 0, null, "new-1")).get(30, TimeUnit.SECONDS);
                assertThat(pollValues(latest, 1)).containsExactly("new-1");
                assertThat(pollValues(earliest, 4)).containsExactly("old-1", "old-2", "old-3", "new-1");
            }
        }
    }

    private static List<String> pollValues(Consumer<String, String> consumer, int count) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (values.size() < count && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                values.add(r.value());
            }
        }
        return values;
    }

    @Test
    void recordsWithOneKeyLandOnOnePartitionInOrder() throws Exception {
        start();
        createTopic("users", 8);
        Set<Integer> partitionsOfKey = new HashSet<>();
        Set<Integer> partitionsOfOtherKeys = new HashSet<>();
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            List<CompletableFuture<RecordMetadata>> sameKey = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                sameKey.add(producer.send(new ProducerRecord<>("users", "user-42", "event-" + i)));
                producer.send(new ProducerRecord<>("users", "other-user-" + i, "other-" + i))
                        .thenAccept(md -> {
                            synchronized (partitionsOfOtherKeys) {
                                partitionsOfOtherKeys.add(md.partition());
                            }
                        });
            }
            producer.flush();
            for (CompletableFuture<RecordMetadata> f : sameKey) {
                partitionsOfKey.add(f.get(10, TimeUnit.SECONDS).partition());
            }
        }
        assertThat(partitionsOfKey).hasSize(1);
        assertThat(partitionsOfOtherKeys.size()).isGreaterThan(4);
        int partition = partitionsOfKey.iterator().next();
        List<String> events = new ArrayList<>();
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            TopicPartition tp = new TopicPartition("users", partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (events.size() < 500 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if ("user-42".equals(r.key())) {
                        events.add(r.value());
                    }
                }
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            expected.add("event-" + i);
        }
        assertThat(events).containsExactlyElementsOf(expected);
    }

    @Test
    void restartOnSameDataDirFindsTopicsAndRecords() throws Exception {
        start();
        createTopic("ledger", 3);
        int total = 3000;
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            for (int i = 0; i < total; i++) {
                producer.send(new ProducerRecord<>("ledger", "k" + (i % 17), "entry-" + i));
            }
            producer.flush();
        }
        standalone.close();
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 1));

        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            assertThat(admin.listTopics()).contains("ledger");
            // the restarted broker re-registers; once the nameserver routes to it, every record is there
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                TopicDescription d = admin.describeTopic("ledger");
                long sum = d.partitions().stream().mapToLong(PartitionDescription::logEndOffset).sum();
                assertThat(sum).isEqualTo(total);
            });
        }
        Set<String> values = new HashSet<>();
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            consumer.assign(partitions("ledger", 3));
            consumer.seekToBeginning(partitions("ledger", 3));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        assertThat(values).hasSize(total);
        // appends continue after the recovered end
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            RecordMetadata md = producer.send(new ProducerRecord<>("ledger", 0, null, "after-restart"))
                    .get(10, TimeUnit.SECONDS);
            assertThat(md.offset()).isGreaterThan(0);
        }
    }

    @Test
    void metricsEndpointCountsTrafficPerTopic() throws Exception {
        StandaloneSettings base = StandaloneSettings.forTests(dir, 1);
        standalone = Standalone.start(new StandaloneSettings(base.host(), base.dataDir(), 0, 0, 1, base.registry(),
                base.nameserver(), i -> new io.sluice.broker.server.BrokerConfig().port(0).metricsPort(-1)));
        createTopic("metered", 2);
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("metered", 0, null, "m" + i)).get(10, TimeUnit.SECONDS);
            }
        }
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            consumer.assign(List.of(new TopicPartition("metered", 0)));
            consumer.seekToBeginning(List.of(new TopicPartition("metered", 0)));
            int read = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (read < 10 && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertThat(read).isEqualTo(10);
        }
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(standalone.metricsUrl())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body).containsPattern("sluice_broker_messages_in_total\\{[^}]*topic=\"metered\"[^}]*} 10\\.0")
                .containsPattern("sluice_broker_messages_out_total\\{[^}]*topic=\"metered\"[^}]*} 10\\.0")
                .containsPattern("sluice_log_end_offset\\{partition=\"0\"[^}]*topic=\"metered\"[^}]*} 10\\.0")
                .contains("sluice_transport_request_latency_seconds_bucket")
                .contains("api=\"PRODUCE\"")
                .contains("jvm_memory_used_bytes");
    }
}
