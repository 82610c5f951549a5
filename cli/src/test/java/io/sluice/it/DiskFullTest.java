package io.sluice.it;

import io.sluice.broker.testing.Tmpfs;
import io.sluice.cli.SluiceCli;
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
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker in its own JVM with its data directory on a small tmpfs. acks=1 producers on two topics fill it up: every
 * send is acknowledged or refused with STORAGE_FULL (never UNKNOWN or an InternalError from a fault on a mapped
 * page), nothing refused is stored, and every acknowledged record reads back intact at its offset. Deleting a topic
 * frees space and writes resume; after SIGTERM and after SIGKILL the broker restarts with every acknowledged record
 * and no log end moved backwards. A broker whose free space is under its floor refuses produces with STORAGE_FULL
 * naming the floor, says so in its metrics and in {@code sluice cluster}, and takes produces again once space
 * returns. A follower whose disk fills up falls behind without storing anything corrupt, and catches up once space
 * returns, holding every acknowledged record when it takes over.
 */
class DiskFullTest {
    private static final String FILL = "fill";
    private static final String OTHER = "other";
    private static final String REPLICATED = "replicated";
    private static final int PARTITIONS = 3;
    private static final long MIB = 1 << 20;
    private static final String PADDING = "x".repeat(400);

    @TempDir
    Path dir;

    private Tmpfs disk;
    private Tmpfs secondDisk;
    private Standalone cluster;
    private ForkedJvm broker;
    private ForkedJvm secondBroker;
    private String metricsUrl;

    @AfterEach
    void stop() throws Exception {
        for (ForkedJvm jvm : new ForkedJvm[] {broker, secondBroker}) {
            if (jvm != null) {
                jvm.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
        for (Tmpfs t : new Tmpfs[] {disk, secondDisk}) {
            if (t != null) {
                t.close();
            }
        }
    }

    private void startBroker(String... sets) throws Exception {
        broker = startBroker(0, sets);
        metricsUrl = ServerJvms.metricsUrl(broker.awaitReady(120, TimeUnit.SECONDS));
    }

    private ForkedJvm startBroker(int id, String... sets) throws Exception {
        List<String> all = new ArrayList<>(List.of("sluice.registry.session.timeout.ms=3000",
                "sluice.log.segment.bytes=" + MIB));
        all.addAll(List.of(sets));
        return ServerJvms.broker(dir, cluster.zookeeperAddress(), id, all.toArray(String[]::new));
    }

    private Admin admin() {
        return Admin.create(new AdminConfig().nameservers(cluster.nameservers()));
    }

    private Producer<String, String> producer() {
        return Producer.create(new ProducerConfig().nameservers(cluster.nameservers()).acks(1).retries(0)
                .lingerMs(2).batchSize(16 * 1024).requestTimeoutMs(20_000).deliveryTimeoutMs(30_000)
                .maxBlockMs(30_000), Serdes.string(), Serdes.string());
    }

    /** What one topic's producer saw: acknowledged values by partition and offset, refused values, other errors. */
    private static final class Outcome {
        final Map<Integer, Map<Long, String>> acked = new ConcurrentHashMap<>();
        final Map<String, ErrorCode> refused = new ConcurrentHashMap<>();
        final Map<String, Throwable> otherErrors = new ConcurrentHashMap<>();
        final AtomicLong seq = new AtomicLong();

        int ackedCount() {
            return acked.values().stream().mapToInt(Map::size).sum();
        }

        /** Fails naming how many sends failed otherwise than with STORAGE_FULL, and how (one example). */
        void assertOnlyStorageFull(String topic) {
            assertThat(otherErrors.size()).as("sends to %s that failed otherwise than with STORAGE_FULL, e.g. %s",
                    topic, otherErrors.values().stream().findFirst().map(Throwable::toString).orElse("-")).isZero();
        }
    }

    /** Sends until {@code stop}; at most 64 sends in flight. */
    private static void produce(Producer<String, String> producer, String topic, Outcome outcome, AtomicBoolean stop) {
        Semaphore window = new Semaphore(64);
        while (!stop.get()) {
            try {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long seq = outcome.seq.getAndIncrement();
            String value = topic + "-" + seq + "-" + PADDING;
            producer.send(new ProducerRecord<>(topic, (int) (seq % PARTITIONS), null, value)).whenComplete((md, e) -> {
                window.release();
                record(outcome, value, md, e);
            });
        }
        try {
            window.acquire(64);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void record(Outcome outcome, String value, RecordMetadata md, Throwable e) {
        if (e == null) {
            outcome.acked.computeIfAbsent(md.partition(), p -> new ConcurrentHashMap<>()).put(md.offset(), value);
            return;
        }
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                ? e.getCause() : e;
        if (cause instanceof SluiceException se && se.code() == ErrorCode.STORAGE_FULL) {
            outcome.refused.put(value, se.code());
        } else {
            outcome.otherErrors.put(value, cause);
        }
    }

    /** Sends one record until it is acknowledged (the broker may not know the topic yet, or space may be coming). */
    private static void awaitAcknowledged(Producer<String, String> producer, String topic, int partition,
                                          Outcome outcome) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            String value = topic + "-" + outcome.seq.getAndIncrement() + "-" + PADDING;
            try {
                RecordMetadata md = producer.send(new ProducerRecord<>(topic, partition, null, value))
                        .get(30, TimeUnit.SECONDS);
                outcome.acked.computeIfAbsent(md.partition(), p -> new ConcurrentHashMap<>()).put(md.offset(), value);
                return true;
            } catch (ExecutionException e) {
                return false;
            }
        });
    }

    /** Log end offset of each partition of {@code topic}, as its leader reports it. */
    private Map<Integer, Long> logEnds(String topic) {
        return logEnds(topic, PARTITIONS);
    }

    private Map<Integer, Long> logEnds(String topic, int partitions) {
        try (Admin admin = admin()) {
            Map<Integer, Long> ends = new HashMap<>();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeTopic(topic).partitions().size()
                    == partitions && admin.describeTopic(topic).partitions().stream()
                    .allMatch(p -> p.leader() >= 0 && p.logEndOffset() >= 0));
            for (PartitionDescription p : admin.describeTopic(topic).partitions()) {
                ends.put(p.partition(), p.logEndOffset());
            }
            return ends;
        }
    }

    /**
     * Reads {@code topic} from the beginning to {@code ends}: offsets are dense, every acknowledged record is at its
     * offset, nothing refused is there (a corrupt batch would fail the poll with CORRUPT_RECORD).
     */
    private void verify(String topic, Outcome outcome, Map<Integer, Long> ends) {
        int partitions = ends.size();
        List<TopicPartition> tps = new ArrayList<>();
        long total = 0;
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
            total += ends.get(p);
        }
        Map<Integer, Map<Long, String>> stored = new HashMap<>();
        long read = 0;
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.string())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long[] next = new long[partitions];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                    assertThat(r.offset()).as("dense offsets in %s-%d", topic, r.partition())
                            .isEqualTo(next[r.partition()]);
                    next[r.partition()]++;
                    assertThat(outcome.refused).as("a refused record was stored").doesNotContainKey(r.value());
                    stored.computeIfAbsent(r.partition(), p -> new HashMap<>()).put(r.offset(), r.value());
                    read++;
                }
            }
        }
        assertThat(read).as("records read from %s", topic).isEqualTo(total);
        outcome.acked.forEach((partition, byOffset) -> byOffset.forEach((offset, value) ->
                assertThat(stored.getOrDefault(partition, Map.of()).get(offset))
                        .as("acknowledged record at %s-%d@%d", topic, partition, offset).isEqualTo(value)));
    }

    @Test
    void aFullDiskRefusesWritesKeepsEveryAcknowledgedRecordAndRecovers() throws Exception {
        disk = Tmpfs.mount(dir.resolve("broker-0"), 24 * MIB);
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        startBroker("sluice.broker.storage.min.free.bytes=0");
        try (Admin admin = admin()) {
            admin.createTopic(new NewTopic(FILL, PARTITIONS, 1));
            admin.createTopic(new NewTopic(OTHER, PARTITIONS, 1));
        }
        Outcome fill = new Outcome();
        Outcome other = new Outcome();
        try (Producer<String, String> fillProducer = producer(); Producer<String, String> otherProducer = producer()) {
            for (int p = 0; p < PARTITIONS; p++) {
                awaitAcknowledged(fillProducer, FILL, p, fill);
                awaitAcknowledged(otherProducer, OTHER, p, other);
            }
            // both topics write until the disk is full and each has been refused a while
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> f1 = CompletableFuture.runAsync(() -> produce(fillProducer, FILL, fill, stop));
            CompletableFuture<Void> f2 = CompletableFuture.runAsync(() -> produce(otherProducer, OTHER, other, stop));
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> fill.refused.size() >= 100
                        && other.refused.size() >= 100 || !fill.otherErrors.isEmpty() || !other.otherErrors.isEmpty());
            } finally {
                stop.set(true);
                f1.get(60, TimeUnit.SECONDS);
                f2.get(60, TimeUnit.SECONDS);
            }
            fill.assertOnlyStorageFull(FILL);
            other.assertOnlyStorageFull(OTHER);
            assertThat(disk.freeBytes()).as("the disk filled up").isLessThan(4 * MIB);
            assertThat(fill.ackedCount()).isGreaterThan(5_000);
            verify(FILL, fill, logEnds(FILL));
            Map<String, Double> samples = ServerJvms.scrape(metricsUrl);
            assertThat(ServerJvms.sample(samples, "sluice_broker_storage_refused_total", "reason=\"full\"")
                    .orElse(-1)).as("produce requests refused on the full disk").isGreaterThanOrEqualTo(1);

            // deleting a topic frees space: writes resume, behind everything acknowledged before
            try (Admin admin = admin()) {
                admin.deleteTopic(OTHER);
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> disk.freeBytes() > 6 * MIB);
            for (int p = 0; p < PARTITIONS; p++) {
                awaitAcknowledged(fillProducer, FILL, p, fill);
            }
            List<CompletableFuture<RecordMetadata>> resumed = new ArrayList<>();
            for (int i = 0; i < 1_500; i++) {
                String value = FILL + "-" + fill.seq.getAndIncrement() + "-" + PADDING;
                resumed.add(fillProducer.send(new ProducerRecord<>(FILL, i % PARTITIONS, null, value))
                        .whenComplete((md, e) -> record(fill, value, md, e)));
            }
            fillProducer.flush();
            for (CompletableFuture<RecordMetadata> f : resumed) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        Map<Integer, Long> ends = logEnds(FILL);
        verify(FILL, fill, ends);

        // SIGTERM, restart: nothing acknowledged is gone, no log end moved back
        broker.stop();
        startBroker("sluice.broker.storage.min.free.bytes=0");
        Map<Integer, Long> afterStop = logEnds(FILL);
        assertThat(afterStop).isEqualTo(ends);
        verify(FILL, fill, afterStop);

        // SIGKILL, restart: the same
        broker.kill();
        startBroker("sluice.broker.storage.min.free.bytes=0");
        Map<Integer, Long> afterKill = logEnds(FILL);
        assertThat(afterKill).isEqualTo(ends);
        verify(FILL, fill, afterKill);
    }

    @Test
    void aBrokerUnderItsFreeSpaceFloorRefusesProducesAndSaysSo() throws Exception {
        disk = Tmpfs.mount(dir.resolve("broker-0"), 32 * MIB);
        Path balloon = disk.dir().resolve("balloon");
        Files.write(balloon, new byte[(int) (disk.freeBytes() - 4 * MIB)]);
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        long floor = 8 * MIB;
        startBroker("sluice.broker.storage.min.free.bytes=" + floor);
        try (Admin admin = admin()) {
            admin.createTopic(new NewTopic(FILL, 1, 1));
        }
        try (Producer<String, String> producer = producer()) {
            SluiceException refused = Awaitility.await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        try {
                            producer.send(new ProducerRecord<>(FILL, 0, null, "v")).get(30, TimeUnit.SECONDS);
                            return null;
                        } catch (ExecutionException e) {
                            return e.getCause() instanceof SluiceException se ? se : null;
                        }
                    }, e -> e != null && e.code() == ErrorCode.STORAGE_FULL);
            assertThat(refused.getMessage()).contains("sluice.broker.storage.min.free.bytes=" + floor,
                    "bytes free in " + disk.dir());
            Map<String, Double> samples = ServerJvms.scrape(metricsUrl);
            assertThat(ServerJvms.sample(samples, "sluice_broker_storage_state", "state=\"low_space\""))
                    .hasValue(1.0);
            assertThat(ServerJvms.sample(samples, "sluice_broker_storage_min_free_bytes", null)).hasValue(floor);
            assertThat(ServerJvms.sample(samples, "sluice_broker_storage_free_bytes", null).orElse(-1))
                    .isBetween(0.0, (double) floor);
            assertThat(ServerJvms.sample(samples, "sluice_broker_storage_refused_total", "reason=\"low_space\"")
                    .orElse(-1)).isGreaterThanOrEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(cluster())
                    .contains("LOW_SPACE").contains("sluice.broker.storage.min.free.bytes=" + floor));

            // space returns: produces are taken again, and the broker says so
            Files.delete(balloon);
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                try {
                    producer.send(new ProducerRecord<>(FILL, 0, null, "w")).get(30, TimeUnit.SECONDS);
                    return true;
                } catch (ExecutionException e) {
                    return false;
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(ServerJvms.sample(ServerJvms.scrape(metricsUrl), "sluice_broker_storage_state",
                        "state=\"ok\"")).hasValue(1.0);
                assertThat(cluster()).doesNotContain("LOW_SPACE").containsPattern("127\\.0\\.0\\.1:\\d+ +- +ok");
            });
        }
    }

    @Test
    void aFollowerWithAFullDiskFallsBehindAndCatchesUpOnceSpaceReturns() throws Exception {
        disk = Tmpfs.mount(dir.resolve("broker-0"), 24 * MIB);
        secondDisk = Tmpfs.mount(dir.resolve("broker-1"), 24 * MIB);
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        broker = startBroker(0, "sluice.broker.storage.min.free.bytes=0");
        secondBroker = startBroker(1, "sluice.broker.storage.min.free.bytes=0");
        broker.awaitReady(120, TimeUnit.SECONDS);
        secondBroker.awaitReady(120, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> cluster.nameserver().routes().brokers().size() == 2);
        try (Admin admin = admin()) {
            admin.createTopic(new NewTopic(REPLICATED, 1, 2));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> partition(admin).isr().size() == 2);
            int leader = partition(admin).leader();
            int follower = 1 - leader;
            Tmpfs followerDisk = follower == 0 ? disk : secondDisk;
            Path balloon = followerDisk.dir().resolve("balloon");
            Files.write(balloon, new byte[(int) (followerDisk.freeBytes() - 2 * MIB)]);

            Outcome acked = new Outcome();
            try (Producer<String, String> producer = producer()) {
                awaitAcknowledged(producer, REPLICATED, 0, acked);
                List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {   // about 8 MiB: more than the follower has room for
                    String value = REPLICATED + "-" + acked.seq.getAndIncrement() + "-" + PADDING;
                    sends.add(producer.send(new ProducerRecord<>(REPLICATED, 0, null, value))
                            .whenComplete((md, e) -> record(acked, value, md, e)));
                }
                producer.flush();
                for (CompletableFuture<RecordMetadata> f : sends) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
            long leaderEnd = logEnds(REPLICATED, 1).get(0);
            // the follower stores what fits and stays behind: it neither stores corrupt batches nor dies
            Awaitility.await().atMost(Duration.ofSeconds(30)).during(Duration.ofSeconds(2))
                    .until(() -> followerEnd(admin, follower) < leaderEnd);

            Files.delete(balloon);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> followerEnd(admin, follower) == leaderEnd
                    && partition(admin).isr().contains(follower));
            (leader == 0 ? broker : secondBroker).kill();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> partition(admin).leader() == follower);
            verify(REPLICATED, acked, Map.of(0, leaderEnd));
            assertThat(logEnds(REPLICATED, 1)).isEqualTo(Map.of(0, leaderEnd));
        }
    }

    private static PartitionDescription partition(Admin admin) {
        return admin.describeTopic(REPLICATED).partitions().get(0);
    }

    /** The follower's log end as the leader tracks it (-1 if unknown). */
    private static long followerEnd(Admin admin, int follower) {
        return partition(admin).replicaLogs().stream().filter(r -> r.broker() == follower)
                .mapToLong(PartitionDescription.ReplicaLog::logEndOffset).findFirst().orElse(-1);
    }

    private String cluster() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SluiceCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), "cluster",
                "--nameserver", cluster.nameservers());
        assertThat(code).as(err.toString()).isZero();
        return out.toString();
    }
}
