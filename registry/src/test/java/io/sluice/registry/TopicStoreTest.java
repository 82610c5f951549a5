package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.registry.zk.ZkPaths;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.TopicRoute;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class TopicStoreTest {
    @TempDir
    static Path dir;
    static EmbeddedZooKeeper zk;
    RegistryClient client;
    TopicStore topics;

    @BeforeAll
    static void startZooKeeper() {
        zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", 0);
    }

    @AfterAll
    static void stopZooKeeper() {
        zk.close();
    }

    @BeforeEach
    void connect() {
        client = RegistryClient.connect(ZkTests.config(zk));
        topics = client.topics();
    }

    @AfterEach
    void close() {
        client.close();
    }

    private static TopicMetadata orders() {
        return TopicMetadata.withAssignment("orders", List.of(List.of(1, 2), List.of(2, 3), List.of(3, 1)),
                Map.of("retention.ms", "60000"));
    }

    @Test
    void createdTopicsCanBeReadListedAndDeleted() throws Exception {
        topics.create(orders());
        topics.create(TopicMetadata.withAssignment("audit.log_v2", List.of(List.of(1)), Map.of()));

        assertThat(topics.list()).containsExactly("audit.log_v2", "orders");
        TopicMetadata read = topics.get("orders").orElseThrow();
        assertThat(read.name()).isEqualTo("orders");
        assertThat(read.partitions()).isEqualTo(3);
        assertThat(read.replicationFactor()).isEqualTo(2);
        assertThat(read.configs()).containsExactly(Map.entry("retention.ms", "60000"));
        PartitionState p1 = read.partitionState(1);
        assertThat(p1.partition()).isEqualTo(1);
        assertThat(p1.replicas()).containsExactly(2, 3);
        assertThat(p1.leader()).isEqualTo(2);
        assertThat(p1.leaderEpoch()).isZero();
        assertThat(p1.isr()).containsExactly(2, 3);
        assertThat(p1.version()).isZero();
        assertThat(client.curator().checkExists().forPath(ZkPaths.stateChunk("orders", 0))).isNotNull();

        TopicRoute route = read.toRoute();
        assertThat(route.topic).isEqualTo("orders");
        assertThat(route.partitions).hasSize(3);
        assertThat(route.partitions.get(2).leader).isEqualTo(3);

        topics.delete("orders");
        assertThat(topics.get("orders")).isEmpty();
        assertThat(topics.list()).containsExactly("audit.log_v2");
        assertThat(client.curator().checkExists().forPath(ZkPaths.topic("orders"))).isNull();
    }

    @Test
    void duplicatesAndUnknownTopicsAreReported() {
        topics.create(orders());
        assertCode(() -> topics.create(orders()), ErrorCode.TOPIC_ALREADY_EXISTS, "orders");
        assertCode(() -> topics.delete("nope"), ErrorCode.UNKNOWN_TOPIC, "nope");
        assertCode(() -> topics.delete("../brokers"), ErrorCode.UNKNOWN_TOPIC, "brokers");
        assertThat(topics.get("nope")).isEmpty();
        assertThat(topics.get("a/b")).isEmpty();
    }

    @Test
    void invalidTopicsAreRefusedBeforeAnythingIsWritten() {
        for (String bad : new String[] {"", ".", "..", "a/b", "spaces here", "ünïcode", "x".repeat(201)}) {
            assertCode(() -> topics.create(TopicMetadata.withAssignment(bad, List.of(List.of(1)), Map.of())),
                    ErrorCode.INVALID_TOPIC, "invalid");
        }
        topics.create(TopicMetadata.withAssignment("x".repeat(200), List.of(List.of(1)), Map.of()));
        assertCode(() -> topics.create(TopicMetadata.withAssignment("none", List.of(), Map.of())),
                ErrorCode.INVALID_PARTITIONS, "1..10000");
        assertCode(() -> topics.create(TopicMetadata.withAssignment("dup", List.of(List.of(1, 1)), Map.of())),
                ErrorCode.INVALID_REPLICATION_FACTOR, "distinct");
        assertCode(() -> topics.create(TopicMetadata.withAssignment("uneven", List.of(List.of(1, 2), List.of(1)),
                Map.of())), ErrorCode.INVALID_REPLICATION_FACTOR, "partition 1");
        TopicMetadata badLeader = new TopicMetadata("lead", 1, Map.of(),
                List.of(new PartitionState(0, List.of(1), 5, 0, List.of(1), PartitionState.NO_VERSION)));
        assertCode(() -> topics.create(badLeader), ErrorCode.INVALID_REQUEST, "leader 5");
        assertThat(topics.list()).containsExactly("x".repeat(200));
    }

    @Test
    void watchersSeeTopicsComeAndGoAndPartitionStatesChange() {
        List<Map<String, TopicMetadata>> seen = new CopyOnWriteArrayList<>();
        topics.watch(seen::add);
        await().until(() -> !seen.isEmpty() && seen.get(0).isEmpty());

        topics.create(orders());
        await().until(() -> last(seen).containsKey("orders"));
        assertThat(last(seen).get("orders").partitions()).isEqualTo(3);
        assertThat(seen).allSatisfy(snapshot -> snapshot.values()
                .forEach(t -> assertThat(t.partitionStates()).hasSize(3)));
        assertThat(topics.snapshot()).containsKey("orders");

        PartitionState p0 = topics.get("orders").orElseThrow().partitionState(0);
        assertThat(topics.compareAndSetPartitionState("orders", 0, p0.withLeader(2, 1).withIsr(List.of(2)),
                p0.version())).isTrue();
        await().until(() -> last(seen).get("orders").partitionState(0).leader() == 2);
        PartitionState cached = topics.snapshot().get("orders").partitionState(0);
        assertThat(cached.leaderEpoch()).isEqualTo(1);
        assertThat(cached.isr()).containsExactly(2);
        assertThat(cached.replicas()).containsExactly(1, 2);
        assertThat(cached.version()).isEqualTo(1);

        topics.delete("orders");
        await().until(() -> !last(seen).containsKey("orders"));
        assertThat(topics.snapshot()).isEmpty();
    }

    @Test
    void compareAndSetWritesOnlyAtTheExpectedVersion() {
        topics.create(orders());
        PartitionState p2 = topics.get("orders").orElseThrow().partitionState(2);
        PartitionState next = p2.withLeader(1, 1).withIsr(List.of(1));

        assertThat(topics.compareAndSetPartitionState("orders", 2, next, p2.version())).isTrue();
        PartitionState stored = topics.get("orders").orElseThrow().partitionState(2);
        assertThat(stored.leader()).isEqualTo(1);
        assertThat(stored.leaderEpoch()).isEqualTo(1);
        assertThat(stored.version()).isEqualTo(p2.version() + 1);

        assertThat(topics.compareAndSetPartitionState("orders", 2, p2.withLeader(3, 9), p2.version())).isFalse();
        assertThat(topics.get("orders").orElseThrow().partitionState(2).leader()).isEqualTo(1);

        assertCode(() -> topics.compareAndSetPartitionState("orders", 7, next, 0), ErrorCode.UNKNOWN_PARTITION,
                "partition 7");
        assertCode(() -> topics.compareAndSetPartitionState("gone", 0, next, 0), ErrorCode.UNKNOWN_TOPIC, "gone");
    }

    @Test
    void aTopicOfTenThousandPartitionsIsCreatedAsAHundredStateNodesAndReadBackWhole() throws Exception {
        List<List<Integer>> replicas = new ArrayList<>();
        for (int p = 0; p < 10_000; p++) {
            replicas.add(List.of(p % 3 + 1, (p + 1) % 3 + 1, (p + 2) % 3 + 1));
        }
        topics.create(TopicMetadata.withAssignment("wide", replicas, Map.of()));

        assertThat(client.curator().getChildren().forPath(ZkPaths.topic("wide"))).containsExactly("states");
        assertThat(client.curator().getChildren().forPath(ZkPaths.states("wide"))).hasSize(100);
        TopicMetadata read = topics.get("wide").orElseThrow();
        assertThat(read.partitions()).isEqualTo(10_000);
        assertThat(read.partitionState(9_999).replicas()).containsExactly(1, 2, 3);
        assertThat(read.partitionState(9_999).leader()).isEqualTo(1);
        assertThat(read.partitionStates()).allSatisfy(s -> assertThat(s.version()).isZero());
        await().until(() -> topics.snapshot().containsKey("wide"));
        assertThat(topics.snapshot().get("wide")).isEqualTo(read);
    }

    @Test
    void aBatchedCompareAndSetWritesEachPartitionAtItsOwnVersionAcrossChunks() {
        List<List<Integer>> replicas = new ArrayList<>();
        for (int p = 0; p < 250; p++) {
            replicas.add(List.of(1, 2));
        }
        topics.create(TopicMetadata.withAssignment("batch", replicas, Map.of()));
        // another writer moves partition 5 first: the chunk changes, partition 6 (same chunk) keeps its version
        PartitionState p5 = topics.get("batch").orElseThrow().partitionState(5);
        assertThat(topics.compareAndSetPartitionState("batch", 5, p5.withIsr(List.of(1)), 0)).isTrue();

        TopicMetadata before = topics.get("batch").orElseThrow();
        List<PartitionState> updates = new ArrayList<>();
        for (int p = 0; p < 250; p += 2) {
            if (p == 6) {
                continue;
            }
            updates.add(before.partitionState(p).withLeader(2, 1).withIsr(List.of(2)).withVersion(0));
        }
        updates.add(before.partitionState(5).withLeader(2, 1).withVersion(0)); // stale: partition 5 is at 1 now
        updates.add(before.partitionState(6).withLeader(2, 1).withVersion(0));

        Set<Integer> written = topics.compareAndSetPartitionStates("batch", updates, null);

        assertThat(written).hasSize(125).contains(0, 6, 100, 248).doesNotContain(5, 1);
        TopicMetadata after = topics.get("batch").orElseThrow();
        assertThat(after.partitionState(248).leader()).isEqualTo(2);
        assertThat(after.partitionState(248).leaderEpoch()).isEqualTo(1);
        assertThat(after.partitionState(248).isr()).containsExactly(2);
        assertThat(after.partitionState(248).version()).isEqualTo(1);
        assertThat(after.partitionState(5)).isEqualTo(before.partitionState(5));
        assertThat(after.partitionState(1)).isEqualTo(before.partitionState(1));
        assertThat(after.partitionState(1).version()).isZero();

        assertCode(() -> topics.compareAndSetPartitionStates("batch", List.of(after.partitionState(1),
                after.partitionState(1)), null), ErrorCode.INVALID_REQUEST, "twice");
        assertCode(() -> topics.compareAndSetPartitionStates("batch", List.of(new PartitionState(250, List.of(1),
                1, 0, List.of(1), 0)), null), ErrorCode.UNKNOWN_PARTITION, "batch");
        assertCode(() -> topics.compareAndSetPartitionStates("nope", List.of(after.partitionState(1)), null),
                ErrorCode.UNKNOWN_TOPIC, "nope");
    }

    private static Map<String, TopicMetadata> last(List<Map<String, TopicMetadata>> seen) {
        return seen.get(seen.size() - 1);
    }

    private static void assertCode(Executable call, ErrorCode code, String messagePart) {
        assertThatThrownBy(call::execute)
                .isInstanceOfSatisfying(SluiceException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(messagePart);
    }
}
