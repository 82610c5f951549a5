package io.sluice.it;

import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three group members in JVMs of their own share a 6-partition topic while a producer writes; one is killed with
 * SIGKILL. Its partitions must move to the others within the session timeout, every record must be read at least
 * once, and a record read twice must lie at or after the killed member's last committed offset.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class GroupMemberKillTest {
    private static final String TOPIC = "work";
    private static final int PARTITIONS = 6;

    @TempDir
    Path dir;

    private Standalone standalone;
    private final List<ForkedJvm> members = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ForkedJvm m : members) {
            m.close();
        }
        if (standalone != null) {
            standalone.close();
        }
    }

    /** One member's journal, parsed. */
    private static final class Journal {
        final Map<Integer, List<Long>> read = new HashMap<>();
        final Map<Integer, Long> committed = new HashMap<>();
        Set<Integer> assignment = Set.of();

        static Journal of(Path file) throws IOException {
            Journal j = new Journal();
            if (!Files.exists(file)) {
                return j;
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            for (String line : text.substring(0, end + 1).split("\n")) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "R" -> j.read.computeIfAbsent(Integer.parseInt(f[1]), p -> new ArrayList<>())
                            .add(Long.parseLong(f[2]));
                    case "C" -> j.committed.merge(Integer.parseInt(f[1]), Long.parseLong(f[2]), Math::max);
                    case "A" -> {
                        Set<Integer> a = new TreeSet<>();
                        for (String p : f.length > 1 ? f[1].split(",") : new String[0]) {
                            a.add(Integer.parseInt(p));
                        }
                        j.assignment = a;
                    }
                    default -> { }
                }
            }
            return j;
        }
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) {
        Awaitility.await(what).atMost(Duration.ofMillis(timeoutMs)).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    /** The highest offset each partition was read at by the given members (absent: never read). */
    private Map<Integer, Long> maxRead(int... memberIndexes) {
        Map<Integer, Long> max = new HashMap<>();
        for (int i : memberIndexes) {
            journal(i).read.forEach((p, offsets) -> offsets.forEach(o -> max.merge(p, o, Math::max)));
        }
        return max;
    }

    private Map<TopicPartition, Long> endOffsets() {
        try (Consumer<String, String> c = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()),
                Serdes.string(), Serdes.string())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                tps.add(new TopicPartition(TOPIC, p));
            }
            return c.endOffsets(tps);
        }
    }

    private Journal journal(int i) {
        try {
            return Journal.of(dir.resolve("member-" + i + ".journal"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aKilledMembersPartitionsMoveAndNothingIsLost() throws Exception {
        standalone = Standalone.start(StandaloneSettings.forTests(dir.resolve("data"), 1));
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 1));
        }
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread producer = new Thread(() -> {
            try (Producer<String, String> p = Producer.create(new ProducerConfig()
                    .nameservers(standalone.nameservers()).lingerMs(5), Serdes.string(), Serdes.string())) {
                int i = 0;
                while (producing.get()) {
                    for (int part = 0; part < PARTITIONS; part++) {
                        p.send(new ProducerRecord<>(TOPIC, part, null, "r" + i));
                    }
                    i++;
                    if (i % 10 == 0) {
                        Thread.sleep(20); // pacing, not waiting: a steady stream that outlasts the kill
                    }
                }
                p.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-producer");
        producer.start();
        for (int i = 0; i < 3; i++) {
            ForkedJvm m = ForkedJvm.start(dir.resolve("member-" + i + ".log"), "MEMBER READY",
                    GroupMemberMain.class.getName(), standalone.nameservers(), "workers", TOPIC,
                    dir.resolve("member-" + i + ".journal").toString());
            members.add(m);
        }
        for (ForkedJvm m : members) {
            m.awaitReady(120, TimeUnit.SECONDS);
        }
        await("each member owning two partitions", 40_000, () -> {
            for (int i = 0; i < 3; i++) {
                if (journal(i).assignment.size() != 2) {
                    return false;
                }
            }
            return true;
        });
        Set<Integer> victimPartitions = journal(0).assignment;
        await("the victim committing on each of its partitions", 40_000,
                () -> journal(0).committed.keySet().containsAll(victimPartitions));
        Map<Integer, Long> survivorsBeforeKill = maxRead(1, 2); // what they read while they owned it, early on
        long killedAt = System.nanoTime();
        members.get(0).kill();
        Journal victim = journal(0);
        await("the survivors owning all partitions", 20_000, () -> {
            Set<Integer> owned = new HashSet<>(journal(1).assignment);
            owned.addAll(journal(2).assignment);
            return owned.size() == PARTITIONS && journal(1).assignment.size() == 3;
        });
        long movedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        Map<Integer, Long> readAfterKill = new HashMap<>();
        await("the victim's partitions read again from its last commit on", 20_000, () -> {
            Map<Integer, Long> survivors = maxRead(1, 2);
            for (int p : victimPartitions) {
                long from = Math.max(victim.committed.get(p), survivorsBeforeKill.getOrDefault(p, -1L) + 1);
                if (survivors.getOrDefault(p, -1L) < from) {
                    return false;
                }
            }
            return true;
        });
        long consumedAgainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        System.out.println("MEASURE SIGKILL -> partitions reassigned: " + movedMs + " ms, read again: "
                + consumedAgainMs + " ms (session.timeout.ms=" + ConsumerConfig.SESSION_TIMEOUT_MS_DEFAULT + ")");
        // the stream goes on after the take-over: the survivors read records written after it on every partition
        Map<TopicPartition, Long> afterTakeOver = endOffsets();
        await("the survivors reading records written after the take-over", 30_000, () -> {
            Map<Integer, Long> survivors = maxRead(1, 2);
            return afterTakeOver.entrySet().stream()
                    .allMatch(e -> survivors.getOrDefault(e.getKey().partition(), -1L) >= e.getValue());
        });
        producing.set(false);
        producer.join(30_000);
        assertThat(producer.isAlive()).as("the producer stopped").isFalse();

        Map<TopicPartition, Long> ends = endOffsets();
        await("the survivors reading to the end", 30_000, () -> {
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                long max = -1;
                for (int i = 1; i <= 2; i++) {
                    for (long o : journal(i).read.getOrDefault(e.getKey().partition(), List.of())) {
                        max = Math.max(max, o);
                    }
                }
                if (max < e.getValue() - 1) {
                    return false;
                }
            }
            return true;
        });
        Journal[] all = {victim, journal(1), journal(2)};
        for (int p = 0; p < PARTITIONS; p++) {
            long end = ends.get(new TopicPartition(TOPIC, p));
            Map<Long, Integer> times = new HashMap<>();
            for (Journal j : all) {
                List<Long> offsets = j.read.getOrDefault(p, List.of());
                for (long o : offsets) {
                    times.merge(o, 1, Integer::sum);
                }
            }
            for (long o = 0; o < end; o++) {
                assertThat(times.get(o)).as("times partition %d offset %d was read", p, o).isNotNull();
            }
            long victimCommitted = victim.committed.getOrDefault(p, 0L);
            for (Map.Entry<Long, Integer> e : times.entrySet()) {
                if (e.getValue() > 1) {
                    assertThat(victimPartitions).as("partition of duplicate offset %d", e.getKey()).contains(p);
                    assertThat(e.getKey()).as("duplicate in partition %d must not be committed", p)
                            .isGreaterThanOrEqualTo(victimCommitted);
                }
            }
        }
        assertThat(movedMs).as("partitions moved within a bound well past the session timeout").isLessThan(15_000);
    }
}
