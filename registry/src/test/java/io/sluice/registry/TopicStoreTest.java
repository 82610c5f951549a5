package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.registry.zk.ZkPaths;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.TopicRoute;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        assertThat(client.curator().checkExists().forPath(ZkPaths.partitionState("orders", 2))).isNotNull();

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
                ErrorCode.INVALID_PARTITIONS, "1..1000");
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

    private static Map<String, TopicMetadata> last(List<Map<String, TopicMetadata>> seen) {
        return seen.get(seen.size() - 1);
    }

    private static void assertCode(Executable call, ErrorCode code, String messagePart) {
        assertThatThrownBy(call::execute)
                .isInstanceOfSatisfying(SluiceException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(messagePart);
    }
}
