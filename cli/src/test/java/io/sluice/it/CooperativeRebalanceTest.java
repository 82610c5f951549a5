package io.sluice.it;

import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRebalanceListener;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cooperative protocol with the sticky assignor over a real broker: when a fourth member joins three that
 * consume a continuously produced topic, each keeps reading the partitions it keeps while the group rebalances.
 */
class CooperativeRebalanceTest {
    private static final String TOPIC = "coop";
    private static final int PARTITIONS = 12;

    @TempDir
    Path dir;

    private Standalone standalone;

    @AfterEach
    void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    /** A cooperative member polling on its own thread, recording every record's arrival and every callback. */
    private final class Member implements AutoCloseable {
        final String name;
        final Map<TopicPartition, List<long[]>> arrivals = new ConcurrentHashMap<>();
        final List<Set<TopicPartition>> revoked = new CopyOnWriteArrayList<>();
        final List<Set<TopicPartition>> assigned = new CopyOnWriteArrayList<>();
        final AtomicReference<Set<TopicPartition>> assignment = new AtomicReference<>(Set.of());
        /** Every assignment seen after a poll, with the time it was seen. */
        final List<Object[]> snapshots = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean stop;

        Member(String name) {
            this.name = name;
            this.thread = new Thread(this::run, name);
            this.thread.setDaemon(true);
            this.thread.start();
        }

        private void run() {
            try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                    .nameservers(standalone.nameservers()).groupId("coop-group").clientId(name)
                    .partitionAssignmentStrategy("cooperative-sticky").heartbeatIntervalMs(1_000)
                    .sessionTimeoutMs(10_000).autoCommitIntervalMs(200), Serdes.string(), Serdes.string())) {
                consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        revoked.add(Set.copyOf(partitions));
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        assigned.add(Set.copyOf(partitions));
                    }
                });
                while (!stop) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        arrivals.computeIfAbsent(new TopicPartition(r.topic(), r.partition()),
                                tp -> new CopyOnWriteArrayList<>()).add(new long[] {System.nanoTime(), r.offset()});
                    }
                    Set<TopicPartition> now = Set.copyOf(consumer.assignment());
                    assignment.set(now);
                    snapshots.add(new Object[] {System.nanoTime(), now});
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        }

        /** Records of {@code tp} that arrived between the two times. */
        long arrivedBetween(TopicPartition tp, long fromNs, long toNs) {
            return arrivals.getOrDefault(tp, List.of()).stream().filter(a -> a[0] > fromNs && a[0] < toNs).count();
        }

        /** The longest time between two records of {@code tp} (or a window edge) within the window, in ms. */
        long longestGapMs(TopicPartition tp, long fromNs, long toNs) {
            long last = fromNs;
            long gap = 0;
            for (long[] a : arrivals.getOrDefault(tp, List.of())) {
                if (a[0] > fromNs && a[0] < toNs) {
                    gap = Math.max(gap, a[0] - last);
                    last = a[0];
                }
            }
            return Math.max(gap, toNs - last) / 1_000_000;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofMillis(timeoutMs)).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    @Test
    void whenAFourthMemberJoinsTheOthersKeepConsumingThePartitionsTheyKeep() throws Exception {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 1));
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 1));
        }
        List<Member> members = new ArrayList<>();
        Thread producer = new Thread(this::produceUntilInterrupted, "producer");
        producer.setDaemon(true);
        try {
            producer.start();
            for (int i = 0; i < 3; i++) {
                members.add(new Member("m" + i));
            }
            await("three members with four partitions each, all receiving", 60_000, () -> members.stream()
                    .allMatch(m -> m.assignment.get().size() == 4 && m.arrivals.keySet().containsAll(
                            m.assignment.get())));
            Map<Member, Set<TopicPartition>> before = new HashMap<>();
            for (Member m : members) {
                before.put(m, m.assignment.get());
                m.revoked.clear();
            }

            long windowStart = System.nanoTime();
            Member fourth = new Member("m3");
            members.add(fourth);
            await("the fourth member with three partitions", 60_000, () -> fourth.assignment.get().size() == 3
                    && members.stream().allMatch(m -> m.assignment.get().size() == 3));
            long windowEnd = System.nanoTime();
            await("the fourth member receiving records of every partition it took", 60_000,
                    () -> fourth.arrivals.keySet().containsAll(fourth.assignment.get()));
            long movedReceivingAt = System.nanoTime();

            Set<TopicPartition> moved = new HashSet<>();
            for (Member m : members.subList(0, 3)) {
                Set<TopicPartition> kept = new HashSet<>(before.get(m));
                kept.retainAll(m.assignment.get());
                Set<TopicPartition> lost = new HashSet<>(before.get(m));
                lost.removeAll(kept);
                moved.addAll(lost);
                assertThat(kept).as("%s keeps three of its four partitions", m.name).hasSize(3);
                Set<TopicPartition> allRevoked = new HashSet<>();
                m.revoked.forEach(allRevoked::addAll);
                assertThat(allRevoked).as("%s is told of revoking only the partition that moves", m.name)
                        .isEqualTo(lost);
                for (Object[] snapshot : m.snapshots) {
                    long at = (Long) snapshot[0];
                    if (at > windowStart && at < windowEnd) {
                        @SuppressWarnings("unchecked")
                        Set<TopicPartition> seen = (Set<TopicPartition>) snapshot[1];
                        assertThat(seen).as("%s's assignment during the rebalance", m.name).containsAll(kept);
                    }
                }
                for (TopicPartition tp : kept) {
                    assertThat(m.arrivedBetween(tp, windowStart, windowEnd))
                            .as("records of kept %s reaching %s while the group rebalanced", tp, m.name)
                            .isPositive();
                    System.out.printf("MEASURE cooperative rebalance: kept %s on %s: %d records during the %d ms"
                                    + " rebalance, longest gap %d ms%n", tp, m.name,
                            m.arrivedBetween(tp, windowStart, windowEnd), (windowEnd - windowStart) / 1_000_000,
                            m.longestGapMs(tp, windowStart, windowEnd));
                }
            }
            assertThat(fourth.assignment.get()).isEqualTo(moved);
            for (TopicPartition tp : moved) {
                System.out.printf("MEASURE cooperative rebalance: moved %s: longest gap %d ms%n", tp,
                        fourth.longestGapMs(tp, windowStart, movedReceivingAt));
            }
            producer.interrupt();
            producer.join(10_000);
            Map<TopicPartition, Long> ends;
            try (Consumer<String, String> probe = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                    .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
                List<TopicPartition> all = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    all.add(new TopicPartition(TOPIC, p));
                }
                ends = probe.endOffsets(all);
            }
            await("every produced record consumed at least once", 60_000, () -> ends.entrySet().stream()
                    .allMatch(e -> consumedOffsets(members, e.getKey()).size() >= e.getValue()));
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                Set<Long> seen = consumedOffsets(members, e.getKey());
                for (long o = 0; o < e.getValue(); o++) {
                    assertThat(seen).as("offset %d of %s", o, e.getKey()).contains(o);
                }
            }
            for (Member m : members) {
                assertThat(m.errors).as("errors of %s", m.name).isEmpty();
            }
        } finally {
            producer.interrupt();
            for (Member m : members) {
                m.close();
            }
        }
    }

    private static Set<Long> consumedOffsets(List<Member> members, TopicPartition tp) {
        Set<Long> seen = new HashSet<>();
        for (Member m : members) {
            for (long[] a : m.arrivals.getOrDefault(tp, List.of())) {
                seen.add(a[1]);
            }
        }
        return seen;
    }

    /**
     * Sends one record to every partition every 5 ms until interrupted (at most for the 5 minutes a test may run, so
     * that a slow machine's long set-up does not outlast the stream); waits for each round.
     */
    private void produceUntilInterrupted() {
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
            for (int i = 0; !Thread.currentThread().isInterrupted() && System.nanoTime() < end; i++) {
                List<java.util.concurrent.CompletableFuture<?>> sent = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++) {
                    sent.add(producer.send(new ProducerRecord<>(TOPIC, p, null, p + "-" + i)));
                }
                producer.flush();
                for (java.util.concurrent.CompletableFuture<?> f : sent) {
                    f.join();
                }
                Thread.sleep(5); // pacing, not waiting: a steady stream through the rebalance
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aMemberWithNoStrategyInCommonIsRefused() throws Exception {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 1));
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic("proto", 2, 1));
        }
        ConsumerConfig base = new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()).groupId("proto-group");
        try (GroupConsumer ranged = new GroupConsumer(base.partitionAssignmentStrategy("range"), "proto");
             Consumer<String, String> sticky = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                     .nameservers(standalone.nameservers()).groupId("proto-group")
                     .partitionAssignmentStrategy("cooperative-sticky"), Serdes.string(), Serdes.string())) {
            await("the range member joined", 20_000, () -> ranged.assignment.get().size() == 2);
            sticky.subscribe(List.of("proto"));
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < deadline) {
                    sticky.poll(Duration.ofMillis(100));
                }
            }).isInstanceOfSatisfying(SluiceException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
            assertThat(ranged.assignment.get()).hasSize(2);
        }
    }
}
