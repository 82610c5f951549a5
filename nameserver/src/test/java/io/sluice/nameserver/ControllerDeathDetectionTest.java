package io.sluice.nameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.PartitionState;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.TopicMetadata;
import io.sluice.registry.zk.ZkPaths;
import io.sluice.remoting.protocol.BrokerInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller finds a dead broker process before its registry session expires: each "broker" here is a real
 * registry session plus a real listening socket at the registered address; its process dying is the socket closing
 * while the session (long, 30 s) lives on, as after a SIGKILL before ZooKeeper notices.
 */
class ControllerDeathDetectionTest {
    @TempDir
    static Path dir;
    static EmbeddedZooKeeper zk;

    private final List<AutoCloseable> open = new ArrayList<>();

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

    private RegistryClient session(String root) {
        RegistryClient client = RegistryClient.connect(new RegistryConfig()
                .connect("zookeeper://" + zk.connectString()).root(root)
                .sessionTimeoutMs(30_000).connectionTimeoutMs(3_000).retryBaseMs(50).retryMaxMs(500)
                .watchCoalesceMs(10));
        open.add(client);
        return client;
    }

    /** A broker: its process (a {@link FakeProcess}) and the registry session that registered it and outlives it. */
    private record FakeBroker(FakeProcess process, RegistryClient registry) {
        boolean wasReached() {
            return process.wasReached();
        }

        int port() {
            return process.port();
        }

        /** The process dies: nothing listens any more and its connections close; the session lives on. */
        void die() {
            process.die();
        }
    }

    private FakeBroker fakeBroker(String root, int id, int port) throws IOException {
        FakeProcess process = new FakeProcess(port);
        open.add(process);
        RegistryClient registry = session(root);
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = process.port();
        b.rack = "";
        b.startedAtMs = System.currentTimeMillis();
        registry.brokers().register(b);
        return new FakeBroker(process, registry);
    }

    private static PartitionState awaitState(RegistryClient client, String topic, int p,
            Predicate<PartitionState> condition) {
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> client.topics().get(topic).orElseThrow().partitionState(p), condition::test);
    }

    @Test
    void aDeadBrokerProcessLosesLeadershipBeforeItsSessionExpiresAndARestartIsLiveAgain() throws Exception {
        String root = "/death-detection-1";
        FakeBroker b1 = fakeBroker(root, 1, 0);
        FakeBroker b2 = fakeBroker(root, 2, 0);
        FakeBroker b3 = fakeBroker(root, 3, 0);
        RegistryClient admin = session(root);
        admin.topics().create(TopicMetadata.withAssignment("t", List.of(List.of(1, 2, 3), List.of(2, 1, 3)),
                new HashMap<>()));
        // replicas [2, 1], in sync: only 2; unclean election allowed, so 1 can lead it only while 1 is live
        admin.topics().create(TopicMetadata.withAssignment("u", List.of(List.of(2, 1)),
                new HashMap<>(Map.of(PartitionLeaderElector.UNCLEAN, "true"))));
        PartitionState u0 = admin.topics().get("u").orElseThrow().partitionState(0);
        assertThat(admin.topics().compareAndSetPartitionState("u", 0, u0.withIsr(List.of(2)), u0.version())).isTrue();
        Controller controller = new Controller(session(root), "ns-a", new SimpleMeterRegistry()).start();
        open.add(controller);
        await().atMost(Duration.ofSeconds(10)).until(() -> controller.isActive() && b1.wasReached()
                && b2.wasReached() && b3.wasReached());
        long deadSession = b1.registry().curator().getZookeeperClient().getZooKeeper().getSessionId();

        b1.die();

        PartitionState p0 = awaitState(admin, "t", 0, s -> s.leader() != 1);
        assertThat(p0.leader()).isEqualTo(2);
        assertThat(p0.leaderEpoch()).isEqualTo(1);
        assertThat(p0.isr()).containsExactly(2, 3);
        PartitionState p1 = awaitState(admin, "t", 1, s -> !s.isr().contains(1));
        assertThat(p1.leader()).isEqualTo(2);
        assertThat(p1.leaderEpoch()).isZero();
        assertThat(admin.curator().checkExists().forPath(ZkPaths.broker(1)).getEphemeralOwner())
                .as("broker 1's session has not expired: the controller found the process gone by itself")
                .isEqualTo(deadSession);

        // broker 1 restarts on its port, from a new session that takes over its stale registration
        FakeBroker restarted = fakeBroker(root, 1, b1.port());
        await().atMost(Duration.ofSeconds(10)).until(() -> restarted.wasReached());
        b2.die();

        // the new incarnation of 1 is live: with 2 gone it is the only live replica of "u" and leads it
        PartitionState u = awaitState(admin, "u", 0, s -> s.leader() != 2);
        assertThat(u.leader()).isEqualTo(1);
        assertThat(u.leaderEpoch()).isEqualTo(1);
        assertThat(awaitState(admin, "t", 1, s -> s.leader() != 2).leader()).isEqualTo(3);
    }

    @Test
    void withProbingOffADeadProcessKeepsLeadershipUntilItsSessionGoes() throws Exception {
        String root = "/death-detection-2";
        FakeBroker b1 = fakeBroker(root, 1, 0);
        fakeBroker(root, 2, 0);
        RegistryClient admin = session(root);
        admin.topics().create(TopicMetadata.withAssignment("t", List.of(List.of(1, 2)), new HashMap<>()));
        Controller controller = new Controller(session(root), "ns-a", new SimpleMeterRegistry(), false).start();
        open.add(controller);
        await().atMost(Duration.ofSeconds(10)).until(controller::isActive);

        b1.die();
        // a negative: watched for a second, the leader stays (a loaded machine only lengthens the window)
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30))
                .until(() -> admin.topics().get("t").orElseThrow().partitionState(0).leader() == 1);

        b1.registry().close(); // now the session goes
        assertThat(awaitState(admin, "t", 0, s -> s.leader() != 1).leader()).isEqualTo(2);
    }
}
