package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.sluice.broker.log.FetchData;
import io.sluice.broker.log.LogConfig;
import io.sluice.broker.log.PartitionLog;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionDescription;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serdes;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in JVMs of their own, one partition with replication factor 3 and min.insync.replicas 2. With both
 * followers frozen (SIGSTOP, briefly: well under the session timeout and the replica lag time), the leader takes
 * acks=1 writes its followers never get, and is then killed (SIGKILL). A follower becomes leader and takes more
 * writes at the same offsets. The old leader comes back as a follower, truncates its divergent tail and catches up:
 * after a clean stop, every replica's log holds the same records at the same offsets (key, value, leader epoch),
 * checked record by record, and the divergent records are in none of them.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class DivergenceTest {
    private static final String TOPIC = "divergence";
    private static final int COMMITTED = 200;
    private static final int DIVERGENT = 50;
    private static final int AFTER = 100;

    @TempDir
    Path dir;

    private Standalone cluster;
    private final Map<Integer, ForkedJvm> brokers = new HashMap<>();
    private final long startNanos = System.nanoTime();

    private void phase(String what) {
        System.out.printf("DivergenceTest %6d ms: %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                - startNanos), what);
    }

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
        // a 6 s session leaves a wide margin over the ~1 s the followers are frozen; a 100 ms follower fetch wait
        // makes the fetches parked at the leader when they freeze end (answered empty) before the divergent writes
        return ServerJvms.broker(dir, cluster.zookeeperAddress(), id, "sluice.registry.session.timeout.ms=6000",
                "sluice.replica.fetch.max.wait.ms=100");
    }

    private Path dataDir(int id) {
        return dir.resolve("broker-" + id);
    }

    private PartitionRoute route() {
        return cluster.nameserver().routes().route(TOPIC).partitions.get(0);
    }

    private Producer<String, String> producer(String acks) {
        ProducerConfig config = new ProducerConfig().nameservers(cluster.nameservers()).acks(acks).lingerMs(1)
                .maxInFlightPerPartition(1).requestTimeoutMs(5_000).deliveryTimeoutMs(30_000).maxBlockMs(30_000);
        if (acks.equals("1")) {
            config.retries(0); // an acks=1 write lands once, on the leader it was sent to, or fails
        }
        return Producer.create(config, Serdes.string(), Serdes.string());
    }

    /** Writes {@code prefix-i} (key {@code k-prefix-i}) for i in [0, n) with {@code acks}; returns their offsets. */
    private List<Long> write(String acks, String prefix, int n) throws Exception {
        try (Producer<String, String> producer = producer(acks)) {
            return send(producer, prefix, n);
        }
    }

    private static List<Long> send(Producer<String, String> producer, String prefix, int n) throws Exception {
        List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sends.add(producer.send(new ProducerRecord<>(TOPIC, 0, "k-" + prefix + "-" + i, prefix + "-" + i)));
        }
        producer.flush();
        List<Long> offsets = new ArrayList<>();
        for (CompletableFuture<RecordMetadata> f : sends) {
            offsets.add(f.get(30, TimeUnit.SECONDS).offset());
        }
        return offsets;
    }

    private static List<Long> range(long from, int count) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(from + i);
        }
        return out;
    }

    /** True once the leader sees every replica's log end at {@code end}. */
    private boolean allReplicasAt(Admin admin, long end) {
        PartitionDescription p = admin.describeTopic(TOPIC).partitions().get(0);
        return p.logEndOffset() == end && p.replicaLogs().size() == 3
                && p.replicaLogs().stream().allMatch(r -> r.logEndOffset() == end);
    }

    @Test
    void aReturningLeaderTruncatesItsDivergentTailAndEndsWithTheNewLeadersLog() throws Exception {
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
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> route().leader >= 0);
            assertThat(write("all", "committed", COMMITTED)).isEqualTo(range(0, COMMITTED));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> allReplicasAt(admin, COMMITTED));
        }
        PartitionRoute first = route();
        phase("committed records on every replica");
        int oldLeader = first.leader;
        List<Integer> followers = new ArrayList<>(first.replicas);
        followers.remove(Integer.valueOf(oldLeader));

        List<Long> divergentOffsets;
        try (Producer<String, String> acksOne = producer("1")) {
            acksOne.partitionsFor(TOPIC); // routes in hand before the followers freeze, to keep the freeze short
            for (int id : followers) {
                brokers.get(id).pause();
            }
            try {
                // let the fetches the followers had parked at the leader run out (answered empty, unread). Not a
                // sleep-then-assert: the leader's 100 ms fetch timers have no outside sign, so time is given, 10x
                // their wait, still far below the 6 s session and the 10 s replica lag time a loaded machine
                // could stretch it towards
                Thread.sleep(1_000);
                divergentOffsets = send(acksOne, "divergent", DIVERGENT);
                brokers.get(oldLeader).kill();
            } finally {
                for (int id : followers) {
                    brokers.get(id).resume();
                }
            }
        }
        phase("followers resumed, old leader killed");
        assertThat(divergentOffsets).as("the old leader acknowledged the acks=1 writes")
                .isEqualTo(range(COMMITTED, DIVERGENT));

        Awaitility.await().atMost(Duration.ofSeconds(40))
                .until(() -> route().leader >= 0 && route().leader != oldLeader);
        PartitionRoute second = route();
        phase("new leader " + second.leader + " in epoch " + second.leaderEpoch);
        assertThat(second.leaderEpoch).isGreaterThan(first.leaderEpoch);
        assertThat(write("all", "new", AFTER)).as("the new leader never had the divergent records")
                .isEqualTo(range(COMMITTED, AFTER));

        phase("new leader took writes at the divergent offsets");
        brokers.put(oldLeader, startBroker(oldLeader));
        brokers.get(oldLeader).awaitReady(120, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(40)).until(() -> route().isr.size() == 3);
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> allReplicasAt(admin, COMMITTED + AFTER));
        }
        assertThat(route().leader).isEqualTo(second.leader);
        phase("old leader rejoined and caught up");

        List<ForkedJvm> all = new ArrayList<>(brokers.values());
        for (ForkedJvm b : all) {
            b.stop();
        }
        phase("brokers stopped");
        Map<Integer, List<String>> logs = new HashMap<>();
        for (int id = 1; id <= 3; id++) {
            logs.put(id, readCopyOfLog(id));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < COMMITTED; i++) {
            expected.add(i + " k-committed-" + i + " committed-" + i + " epoch " + first.leaderEpoch);
        }
        for (int i = 0; i < AFTER; i++) {
            expected.add((COMMITTED + i) + " k-new-" + i + " new-" + i + " epoch " + second.leaderEpoch);
        }
        assertThat(logs.get(second.leader)).as("the new leader's log").isEqualTo(expected);
        for (int id = 1; id <= 3; id++) {
            List<String> replica = logs.get(id);
            assertThat(replica).as("replica on broker %d", id).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(replica.get(i)).as("record %d on broker %d", i, id).isEqualTo(expected.get(i));
            }
        }
        assertThat(logs.get(oldLeader)).noneMatch(r -> r.contains("divergent"));
    }

    /**
     * Every record of the stopped broker's replica as "offset key value epoch leaderEpoch", read with the broker's
     * own log classes from a copy of its partition directory (the replica itself is left untouched).
     */
    private List<String> readCopyOfLog(int id) throws IOException {
        Path source = dataDir(id).resolve(TOPIC + "-0");
        Path copy = dir.resolve("copy-" + id);
        try (Stream<Path> files = Files.walk(source)) {
            files.forEach(f -> {
                try {
                    Files.copy(f, copy.resolve(source.relativize(f).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        List<String> out = new ArrayList<>();
        try (PartitionLog log = PartitionLog.open(copy, LogConfig.defaults(), Clock.systemUTC())) {
            long offset = log.logStartOffset();
            RecordBatch batch = new RecordBatch();
            Record view = new Record();
            while (offset < log.logEndOffset()) {
                try (FetchData data = log.read(offset, 1 << 20, log.logEndOffset(), UnpooledByteBufAllocator.DEFAULT)) {
                    ByteBuf buf = data.records();
                    int pos = buf.readerIndex();
                    while (pos < buf.writerIndex()) {
                        batch.wrap(buf, pos);
                        int epoch = batch.leaderEpoch();
                        batch.forEachRecord(view, r -> out.add(r.offset() + " "
                                + new String(r.key(), StandardCharsets.UTF_8) + " "
                                + new String(r.value(), StandardCharsets.UTF_8) + " epoch " + epoch));
                        pos += batch.sizeInBytes();
                    }
                    offset = data.nextOffset();
                }
            }
        }
        return out;
    }
}
