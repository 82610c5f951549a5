package io.sluice.nameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.LeaderElection;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standby controller takes over as soon as the active controller's process is gone, and handles a broker that
 * died at the same moment at once too. Every "process" here is a real listening socket on 127.0.0.1 plus a real
 * registry session; its death is the socket closing while the session (30 s) lives on, as after a SIGKILL before
 * ZooKeeper notices. The dead controller won the election under an id naming its listening socket; then its
 * process died: its node is held by a session that lives on but never competes again (a raw ZooKeeper session).
 */
class ControllerTakeoverTest {
    private static final long SESSION_MS = 30_000;

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
                .sessionTimeoutMs((int) SESSION_MS).connectionTimeoutMs(3_000).retryBaseMs(50).retryMaxMs(500)
                .watchCoalesceMs(10));
        open.add(client);
        return client;
    }

    private FakeProcess listener() throws IOException {
        FakeProcess process = new FakeProcess(0);
        open.add(process);
        return process;
    }

    private FakeProcess broker(String root, int id) throws IOException {
        FakeProcess process = listener();
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = process.port();
        b.rack = "";
        b.startedAtMs = System.currentTimeMillis();
        session(root).brokers().register(b);
        return process;
    }

    private static long sessionOf(RegistryClient client) throws Exception {
        return client.curator().getZookeeperClient().getZooKeeper().getSessionId();
    }

    /**
     * A controller that won epoch 1 as {@code participantId} and whose process then died: its controller node is
     * held by the returned session, which lives on (30 s) but does nothing.
     */
    private ZooKeeper deadController(String root, String participantId) throws Exception {
        RegistryClient winner = session(root);
        LeaderElection election = winner.election(Controller.ELECTION, participantId);
        election.start();
        await().atMost(Duration.ofSeconds(10)).until(election::isLeader);
        byte[] node = winner.curator().getData().forPath(ZkPaths.election(Controller.ELECTION));
        election.close(); // only to hand the node to a session that will never compete again
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zombie = new ZooKeeper(zk.connectString(), (int) SESSION_MS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        open.add(zombie);
        assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
        zombie.create(root + ZkPaths.election(Controller.ELECTION), node, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL);
        return zombie;
    }

    @Test
    void theStandbyTakesOverAtOnceWhenTheControllerDiesTogetherWithALeader() throws Exception {
        String root = "/takeover-1";
        FakeProcess b1 = broker(root, 1);
        broker(root, 2);
        broker(root, 3);
        RegistryClient admin = session(root);
        admin.topics().create(TopicMetadata.withAssignment("t", List.of(List.of(1, 2, 3)), new HashMap<>()));

        // the controller: a nameserver process (listening socket) that won the election
        FakeProcess oldNameserver = listener();
        String oldId = Controller.participantId("127.0.0.1", oldNameserver.port());
        ZooKeeper oldSession = deadController(root, oldId);

        FakeProcess standbyNameserver = listener();
        RegistryClient standbySession = session(root);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Controller standby = new Controller(standbySession,
                Controller.participantId("127.0.0.1", standbyNameserver.port()), metrics).start();
        open.add(standby);
        await().atMost(Duration.ofSeconds(10)).until(() -> standby.probingController(oldId)
                && b1.acceptedCount() >= 1);
        assertThat(standby.isActive()).isFalse();
        long deadBrokerSession = admin.curator().checkExists().forPath(ZkPaths.broker(1)).getEphemeralOwner();

        // SIGKILL of both: their processes are gone, their sessions live on
        long killedNs = System.nanoTime();
        oldNameserver.die();
        b1.die();

        PartitionState p0 = await().atMost(Duration.ofSeconds(10)).until(
                () -> admin.topics().get("t").orElseThrow().partitionState(0), s -> s.leader() != 1);
        long failoverMs = (System.nanoTime() - killedNs) / 1_000_000;
        assertThat(p0.leader()).isIn(2, 3);
        assertThat(p0.isr()).doesNotContain(1);
        assertThat(standby.isActive()).isTrue();
        assertThat(standby.epoch()).as("a higher epoch fences the old controller").isEqualTo(2);
        // neither session has expired: the standby acted on the dead processes, not on ZooKeeper
        assertThat(admin.curator().checkExists().forPath(ZkPaths.broker(1)).getEphemeralOwner())
                .isEqualTo(deadBrokerSession);
        assertThat(oldSession.getState().isAlive()).isTrue();
        assertThat(admin.curator().checkExists().forPath(ZkPaths.election(Controller.ELECTION)).getEphemeralOwner())
                .isEqualTo(sessionOf(standbySession));
        assertThat(metrics.counter("sluice.controller.stale.evictions").count()).isEqualTo(1.0);
        assertThat(failoverMs).as("failover well inside the %d ms session", SESSION_MS).isLessThan(SESSION_MS / 2);
        System.out.printf("ControllerTakeoverTest: controller and leader killed together, new leader after %d ms"
                + " (registry session %d ms)%n", failoverMs, SESSION_MS);
    }

    @Test
    void aControllerThatIsOnlySlowIsNotEvicted() throws Exception {
        String root = "/takeover-2";
        broker(root, 1);
        FakeProcess oldNameserver = listener();
        String oldId = Controller.participantId("127.0.0.1", oldNameserver.port());
        ZooKeeper oldSession = deadController(root, oldId);

        Controller standby = new Controller(session(root),
                Controller.participantId("127.0.0.1", listener().port()), new SimpleMeterRegistry()).start();
        open.add(standby);
        // probing starts before its connection is accepted: drop connections only once there is one to drop
        await().atMost(Duration.ofSeconds(30)).until(() -> standby.probingController(oldId)
                && oldNameserver.wasReached());

        // its connections drop but it still listens (a paused or busy process accepts): no proof, no takeover
        oldNameserver.dropConnections();
        await().atMost(Duration.ofSeconds(30)).until(() -> oldNameserver.acceptedCount() >= 2);
        assertThat(oldSession.exists(root + ZkPaths.election(Controller.ELECTION), false)).isNotNull();
        assertThat(standby.isActive()).isFalse();
    }
}
