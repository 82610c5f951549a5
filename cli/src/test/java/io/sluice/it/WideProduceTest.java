package io.sluice.it;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A producer writing to a topic of many partitions on one broker sends the batches of many partitions in each
 * request (protocol version 2), and every record arrives, in order within its partition.
 */
class WideProduceTest {
    private static final int PARTITIONS = 200;
    private static final int PER_PARTITION = 100;

    @TempDir
    Path dir;

    private Standalone standalone;

    @AfterEach
    void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    void everyRecordOfA200PartitionTopicArrivesInPartitionOrder() throws Exception {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 1));
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic("wide", PARTITIONS, 1));
        }
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        int total = PARTITIONS * PER_PARTITION;
        List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>(total);
        try (Producer<byte[], String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()).lingerMs(20).meterRegistry(metrics).clientId("wide"),
                Serdes.bytes(), Serdes.string())) {
            for (int seq = 0; seq < PER_PARTITION; seq++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    sends.add(producer.send(new ProducerRecord<>("wide", p, null, p + ":" + seq)));
                }
            }
            producer.flush();
            for (CompletableFuture<RecordMetadata> send : sends) {
                assertThat(send.get(60, TimeUnit.SECONDS).offset()).isGreaterThanOrEqualTo(0);
            }
        }
        DistributionSummary batchesPerRequest = metrics.get("sluice.producer.request.batches").summary();
        assertThat(batchesPerRequest.max()).as("one request carries the batches of many partitions")
                .isGreaterThan(1);
        assertThat(batchesPerRequest.count()).as("fewer requests than batches")
                .isLessThan((long) batchesPerRequest.totalAmount());

        int[] next = new int[PARTITIONS];
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(new TopicPartition("wide", p));
        }
        int count = 0;
        try (Consumer<byte[], String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()), Serdes.bytes(), Serdes.string())) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (count < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], String> r : consumer.poll(Duration.ofMillis(500))) {
                    String[] parts = r.value().split(":");
                    int p = Integer.parseInt(parts[0]);
                    assertThat(r.partition()).isEqualTo(p);
                    assertThat(Integer.parseInt(parts[1])).as("record %d of partition %d", next[p], p)
                            .isEqualTo(next[p]);
                    assertThat(r.offset()).isEqualTo(next[p]);
                    next[p]++;
                    count++;
                }
            }
        }
        assertThat(count).isEqualTo(total);
        assertThat(Arrays.stream(next).allMatch(n -> n == PER_PARTITION)).isTrue();
    }
}
