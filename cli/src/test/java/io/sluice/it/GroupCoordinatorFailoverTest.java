package io.sluice.it;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.broker.group.GroupCoordinator;
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
import io.sluice.remoting.SluiceException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in JVMs of their own; a group of two members consumes a topic with replication factor 3 and
 * commits after every poll (commitSync). Mid-stream the broker that coordinates the group (the leader of the group's
 * partition of the offsets topic) is killed with SIGKILL. Every commit acknowledged before the kill is still there
 * at the new coordinator, the members go on from their committed offsets (a record is read again only from past
 * the last acknowledged commit of its partition) and every record is consumed. And while the other replicas of the
 * group's offsets partition are frozen (SIGSTOP), a commit is not acknowledged nor visible until they are back.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class GroupCoordinatorFailoverTest {
    private static final String TOPIC = "orders";
    private static final String GROUP = "billing";
    private static final int PARTITIONS = 6;
    private static final int PER_PARTITION = 4_000;
    private static final int MEMBERS = 2;

    @TempDir
    Path dir;

    private Standalone cluster;
    private final Map<Integer, ForkedJvm> brokers = new HashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    @AfterEach
    void stop() throws Exception {
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        for (ForkedJvm b : brokers.values()) {
            b.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private ForkedJvm startBroker(int id, String... settings) throws Exception {
        return ServerJvms.broker(dir, cluster.zookeeperAddress(), id, settings);
    }

    private void startCluster(String... settings) throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        for (int id = 1; id <= 3; id++) {
            brokers.put(id, startBroker(id, settings));
        }
        for (ForkedJvm b : brokers.values()) {
            b.awaitReady(120, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> cluster.nameserver().routes().brokers().size() == 3);
    }

    /** The route of the group's partition of the offsets topic. */
    private io.sluice.remoting.protocol.PartitionRoute coordinatorRoute() {
        var offsetsRoute = cluster.nameserver().routes().route("__consumer_offsets");
        return offsetsRoute.partitions.get(GroupCoordinator.partitionFor(GROUP, offsetsRoute.partitions.size()));
    }

    /** Sends SIGSTOP or SIGCONT to a broker JVM, by its pid. */
    private static void signal(ForkedJvm jvm, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(jvm.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d", signal, jvm.pid()).isZero();
    }

    @Test
    void aCommitIsAcknowledgedOnlyOnceTheInSyncReplicasHaveIt() throws Exception {
        // followers leave the in-sync set after 2 s without fetching; their registry sessions outlive the test's pause
        startCluster("sluice.registry.session.timeout.ms=15000", "sluice.replica.lag.time.max.ms=2000");
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        Set<TopicPartition> tps = Set.of(tp);
        try (Consumer<String, String> committer = Consumer.create(config().clientId("committer")
                .defaultApiTimeoutMs(60_000), Serdes.string(), Serdes.string());
             Consumer<String, String> reader = Consumer.create(config().clientId("reader"), Serdes.string(),
                     Serdes.string())) {
            committer.commitSync(Map.of(tp, 10L));
            assertThat(coordinatorRoute().replicas).as("offsets partition replicas").hasSize(3);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> coordinatorRoute().isr.size() == 3);
            int leader = coordinatorRoute().leader;
            List<ForkedJvm> followers = new ArrayList<>();
            brokers.forEach((id, jvm) -> {
                if (id != leader) {
                    followers.add(jvm);
                }
            });
            for (ForkedJvm f : followers) {
                signal(f, "STOP");
            }
            java.util.concurrent.CompletableFuture<Void> commit = java.util.concurrent.CompletableFuture.runAsync(
                    () -> committer.commitSync(Map.of(tp, 20L)));
            try {
                // past the followers' lag time the in-sync set shrinks below min.insync: the coordinator's broker
                // alone has the commit, which must stay unacknowledged and invisible
                Awaitility.await("the in-sync set shrinking to the coordinator's broker").atMost(Duration.ofSeconds(60))
                        .until(() -> coordinatorRoute().isr.equals(List.of(leader)));
                assertThat(commit).as("a commit only the coordinator's broker has").isNotDone();
                assertThat(reader.committed(tps)).as("offsets the in-sync replicas do not have are not visible")
                        .isEqualTo(Map.of(tp, 10L));
            } finally {
                for (ForkedJvm f : followers) {
                    signal(f, "CONT");
                }
            }
            commit.get(60, TimeUnit.SECONDS);
            assertThat(reader.committed(tps)).isEqualTo(Map.of(tp, 20L));
        }
    }

    /** What the members did: every delivery, and the highest acknowledged commit per partition. */
    private static final class Ledger {
        final Map<Integer, Set<Long>> consumed = new ConcurrentHashMap<>();
        final Map<Integer, AtomicLong> ackedCommit = new ConcurrentHashMap<>();
        final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicLong deliveries = new AtomicLong();
        final AtomicLong redeliveries = new AtomicLong();
        final AtomicInteger commitFailures = new AtomicInteger();

        Ledger() {
            for (int p = 0; p < PARTITIONS; p++) {
                consumed.put(p, ConcurrentHashMap.newKeySet());
                ackedCommit.put(p, new AtomicLong());
            }
        }

        void delivered(int partition, long offset) {
            deliveries.incrementAndGet();
            if (!consumed.get(partition).add(offset)) {
                redeliveries.incrementAndGet();
                long acked = ackedCommit.get(partition).get();
                if (offset < acked) {
                    violations.add("offset " + offset + " of partition " + partition + " read again below the"
                            + " acknowledged commit " + acked);
                }
            }
        }

        void committed(Map<TopicPartition, Long> offsets) {
            offsets.forEach((tp, o) -> ackedCommit.get(tp.partition()).accumulateAndGet(o, Math::max));
        }

        long total() {
            return consumed.values().stream().mapToLong(Set::size).sum();
        }
    }

    private ConsumerConfig config() {
        return new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(cluster.nameservers()).groupId(GROUP).enableAutoCommit(false)
                .maxPollRecords(100).requestTimeoutMs(5_000);
    }

    private void member(int index, Ledger ledger, AtomicReference<Throwable> failure) {
        try (Consumer<String, String> consumer = Consumer.create(config().clientId("member-" + index),
                Serdes.string(), Serdes.string())) {
            consumer.subscribe(List.of(TOPIC));
            while (!stop.get()) {
                Map<TopicPartition, Long> next = new HashMap<>();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    ledger.delivered(r.partition(), r.offset());
                    next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
                if (next.isEmpty()) {
                    continue;
                }
                try {
                    consumer.commitSync(next);
                    ledger.committed(next);
                } catch (SluiceException e) {
                    ledger.commitFailures.incrementAndGet(); // e.g. UNKNOWN_MEMBER at the new coordinator: re-join
                }
                Thread.sleep(5); // pacing, not waiting: a paced consumer, so that the kill lands mid-stream
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    @Test
    void committedOffsetsSurviveTheCoordinatorsSigkill() throws Exception {
        startCluster("sluice.registry.session.timeout.ms=3000");
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2")));
        }
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(cluster.nameservers()).acks("all"), Serdes.string(), Serdes.string())) {
            for (int i = 0; i < PER_PARTITION; i++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(TOPIC, p, null, p + "-" + i));
                }
            }
            producer.flush();
        }

        Ledger ledger = new Ledger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < MEMBERS; i++) {
            int index = i;
            Thread t = new Thread(() -> member(index, ledger, failure), "member-" + i);
            threads.add(t);
            t.start();
        }
        long all = (long) PARTITIONS * PER_PARTITION;
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ledger.total() >= all / 3
                || failure.get() != null);
        assertThat(failure.get()).as("a member failed").isNull();

        int coordinator = coordinatorRoute().leader;
        assertThat(coordinatorRoute().replicas).as("offsets topic replicas").hasSize(3);
        Map<Integer, Long> ackedBeforeKill = new HashMap<>();
        ledger.ackedCommit.forEach((p, v) -> ackedBeforeKill.put(p, v.get()));
        long killedAt = System.nanoTime();
        brokers.get(coordinator).kill();

        // a consumer that is no member asks the new coordinator what the group has committed
        Map<TopicPartition, Long> afterKill;
        Set<TopicPartition> partitions = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        try (Consumer<String, String> reader = Consumer.create(config().clientId("reader"), Serdes.string(),
                Serdes.string())) {
            afterKill = reader.committed(partitions);
        }
        long committedReadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(afterKill.getOrDefault(new TopicPartition(TOPIC, p), 0L))
                    .as("committed offset of partition %d after the coordinator's death", p)
                    .isGreaterThanOrEqualTo(ackedBeforeKill.get(p));
        }

        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ledger.total() >= all
                || failure.get() != null);
        long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(failure.get()).as("a member failed").isNull();
        assertThat(ledger.violations).as("records read again below an acknowledged commit").isEmpty();
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(ledger.consumed.get(p)).as("records of partition %d consumed", p).hasSize(PER_PARTITION);
        }
        System.out.printf("GroupCoordinatorFailoverTest: coordinator broker %d killed after %d of %d records;"
                        + " committed offsets read from the new coordinator %d ms after the kill; all consumed %d ms"
                        + " after it; %d deliveries, %d read again, %d commits refused or failed%n", coordinator,
                ackedBeforeKill.values().stream().mapToLong(Long::longValue).sum(), all, committedReadMs, resumedMs,
                ledger.deliveries.get(), ledger.redeliveries.get(), ledger.commitFailures.get());
    }
}
