package io.sluice.nameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.PartitionState;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.protocol.BrokerInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller against a real (embedded) ZooKeeper: brokers are registry sessions that register and go away, the
 * controllers are real {@link Controller}s on their own sessions.
 */
class ControllerTest {
    private static final AtomicInteger ROOTS = new AtomicInteger();
    @TempDir
    static Path dir;
    static EmbeddedZooKeeper zk;

    private final List<AutoCloseable> open = new ArrayList<>();
    private String root;

    @BeforeAll
    static void startZooKeeper() {
        zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", 0);
    }

    @AfterAll
    static void stopZooKeeper() {
        zk.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }

    private RegistryClient session() {
        if (root == null) {
            root = "/controller-test" + ROOTS.incrementAndGet();
        }
        RegistryClient client = RegistryClient.connect(new RegistryConfig()
                .connect("zookeeper://" + zk.connectString()).root(root)
                .sessionTimeoutMs(3_000).connectionTimeoutMs(3_000).retryBaseMs(50).retryMaxMs(500)
                .watchCoalesceMs(10));
        open.add(client);
        return client;
    }

    private RegistryClient broker(int id) {
        RegistryClient client = session();
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = 10_000 + id;
        b.rack = "";
        b.startedAtMs = 1L;
        client.brokers().register(b);
        return client;
    }

    private Controller controller(String id) {
        Controller c = new Controller(session(), id, new SimpleMeterRegistry()).start();
        open.add(c);
        return c;
    }

    private static TopicMetadata topic(String name, Map<String, String> configs, List<List<Integer>> replicas) {
        return TopicMetadata.withAssignment(name, replicas, new HashMap<>(configs));
    }

    private static PartitionState awaitState(RegistryClient client, String topic, int p,
            java.util.function.Predicate<PartitionState> condition) {
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> client.topics().get(topic).orElseThrow().partitionState(p), condition::test);
    }

    @Test
    void whenALeaderDiesAnInSyncReplicaLeadsWithABumpedEpochAndDeadBrokersLeaveTheInSyncSet() {
        RegistryClient b1 = broker(1);
        broker(2);
        broker(3);
        RegistryClient admin = session();
        admin.topics().create(topic("t", Map.of(), List.of(List.of(1, 2, 3), List.of(2, 3, 1))));
        Controller controller = controller("ns-a");
        await().atMost(Duration.ofSeconds(10)).until(controller::isActive);

        b1.close();

        PartitionState p0 = awaitState(admin, "t", 0, s -> s.leader() != 1);
        assertThat(p0.leader()).isEqualTo(2);
        assertThat(p0.leaderEpoch()).isEqualTo(1);
        assertThat(p0.isr()).containsExactly(2, 3);
        PartitionState p1 = awaitState(admin, "t", 1, s -> !s.isr().contains(1));
        assertThat(p1.leader()).isEqualTo(2);
        assertThat(p1.leaderEpoch()).isZero();
        assertThat(p1.isr()).containsExactly(2, 3);
    }

    @Test
    void withoutALiveInSyncReplicaThePartitionStaysOfflineUnlessUncleanElectionIsEnabled() throws Exception {
        RegistryClient b1 = broker(1);
        broker(2);
        RegistryClient admin = session();
        admin.topics().create(topic("clean", Map.of(), List.of(List.of(1, 2))));
        admin.topics().create(topic("dirty", Map.of(PartitionLeaderElector.UNCLEAN, "true"),
                List.of(List.of(1, 2))));
        // broker 2 fell out of sync on both partitions before broker 1 died
        for (String t : List.of("clean", "dirty")) {
            PartitionState s = admin.topics().get(t).orElseThrow().partitionState(0);
            assertThat(admin.topics().compareAndSetPartitionState(t, 0, s.withIsr(List.of(1)), s.version())).isTrue();
        }
        controller("ns-a");

        b1.close();

        PartitionState dirty = awaitState(admin, "dirty", 0, s -> s.leader() == 2);
        assertThat(dirty.leaderEpoch()).isEqualTo(1);
        assertThat(dirty.isr()).containsExactly(2);
        // the same pass handled "clean": it must not have changed (a negative, watched for half a second)
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(30))
                .until(() -> admin.topics().get("clean").orElseThrow().partitionState(0).leaderEpoch() == 0);
        PartitionState clean = admin.topics().get("clean").orElseThrow().partitionState(0);
        assertThat(clean.leader()).isEqualTo(1);
        assertThat(clean.leaderEpoch()).isZero();
        assertThat(clean.isr()).containsExactly(1);

        broker(1);
        // broker 1 is back: it leads "clean" again (it never stopped being its leader in the registry)
        assertThat(admin.topics().get("clean").orElseThrow().partitionState(0).leader()).isEqualTo(1);
    }

    @Test
    void whenTheActiveControllerGoesAnotherTakesOverWithAHigherEpochAndHandlesALaterBrokerDeath() {
        broker(1);
        RegistryClient b2 = broker(2);
        broker(3);
        RegistryClient admin = session();
        admin.topics().create(topic("t", Map.of(), List.of(List.of(2, 3, 1))));
        Controller a = controller("ns-a");
        await().atMost(Duration.ofSeconds(10)).until(a::isActive);
        Controller b = controller("ns-b");
        long firstEpoch = a.epoch();
        assertThat(b.isActive()).isFalse();

        a.close();
        await().atMost(Duration.ofSeconds(10)).until(b::isActive);
        assertThat(b.epoch()).isGreaterThan(firstEpoch);

        b2.close();
        PartitionState p0 = awaitState(admin, "t", 0, s -> s.leader() != 2);
        assertThat(p0.leader()).isEqualTo(3);
        assertThat(p0.leaderEpoch()).isEqualTo(1);
        assertThat(p0.isr()).containsExactly(3, 1);
    }

    @Test
    void aControllerThatIsNotActiveWritesNothing() throws Exception {
        RegistryClient b1 = broker(1);
        broker(2);
        RegistryClient admin = session();
        admin.topics().create(topic("t", Map.of(), List.of(List.of(1, 2))));
        Controller a = controller("ns-a");
        await().atMost(Duration.ofSeconds(10)).until(a::isActive);
        Controller b = controller("ns-b");
        a.close(); // b takes over ...
        await().atMost(Duration.ofSeconds(10)).until(b::isActive);
        b.close(); // ... and leaves too: nobody controls now

        b1.close();
        // a negative: watched for a second, nobody moves the leadership
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30))
                .until(() -> admin.topics().get("t").orElseThrow().partitionState(0).leaderEpoch() == 0);
        PartitionState p0 = admin.topics().get("t").orElseThrow().partitionState(0);
        assertThat(p0.leader()).isEqualTo(1);
        assertThat(p0.leaderEpoch()).isZero();
    }
}
