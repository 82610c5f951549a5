package io.sluice.nameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.LeaderElection;
import io.sluice.registry.PartitionState;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.TopicMetadata;
import io.sluice.registry.zk.ZkPaths;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.BrokerInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standby controller takes over as soon as the active controller's process is gone, and handles a broker that
 * died at the same moment at once too. Every "process" here is a real listening socket on 127.0.0.1 plus a real
 * registry session; its death is the socket closing while the session (30 s) lives on, as after a SIGKILL before
 * ZooKeeper notices. The dead controller is a bare election participant whose id names its listening socket.
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

    /** A process listening on 127.0.0.1, holding the connections it accepts; it "dies" by closing them all. */
    private final class Listener implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();

        Listener() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            open.add(this);
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept());
                    }
                } catch (IOException closed) {
                    // the process died
                }
            }, "listener-" + server.getLocalPort());
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void die() throws IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }

        @Override
        public void close() throws IOException {
            die();
        }
    }

    private Listener broker(String root, int id) throws IOException {
        Listener process = new Listener();
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

    @Test
    void theStandbyTakesOverAtOnceWhenTheControllerDiesTogetherWithALeader() throws Exception {
        String root = "/takeover-1";
        Listener b1 = broker(root, 1);
        broker(root, 2);
        broker(root, 3);
        RegistryClient admin = session(root);
        admin.topics().create(TopicMetadata.withAssignment("t", List.of(List.of(1, 2, 3)), new HashMap<>()));

        // the controller: a nameserver process (listening socket) that won the election
        Listener oldNameserver = new Listener();
        String oldId = Controller.participantId("127.0.0.1", oldNameserver.port());
        RegistryClient oldSession = session(root);
        LeaderElection old = oldSession.election(Controller.ELECTION, oldId);
        old.start();
        await().atMost(Duration.ofSeconds(10)).until(old::isLeader);
        long oldEpoch = old.epoch();

        Listener standbyNameserver = new Listener();
        RegistryClient standbySession = session(root);
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        Controller standby = new Controller(standbySession,
                Controller.participantId("127.0.0.1", standbyNameserver.port()), metrics).start();
        open.add(standby);
        await().atMost(Duration.ofSeconds(10)).until(() -> standby.probingController(oldId)
                && b1.accepted.size() >= 1);
        assertThat(standby.isActive()).isFalse();
        long deadControllerSession = sessionOf(oldSession);
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
        assertThat(standby.epoch()).isGreaterThan(oldEpoch);
        // neither session has expired: the standby acted on the dead processes, not on ZooKeeper
        assertThat(admin.curator().checkExists().forPath(ZkPaths.broker(1)).getEphemeralOwner())
                .isEqualTo(deadBrokerSession);
        assertThat(sessionOf(oldSession)).isEqualTo(deadControllerSession);
        assertThat(admin.curator().checkExists().forPath(ZkPaths.election(Controller.ELECTION)).getEphemeralOwner())
                .isEqualTo(sessionOf(standbySession));
        assertThat(metrics.counter("sluice.controller.stale.evictions").count()).isEqualTo(1.0);
        assertThat(failoverMs).as("failover well inside the %d ms session", SESSION_MS).isLessThan(SESSION_MS / 2);

        // the old controller, had it been alive after all, is fenced by the new epoch
        await().atMost(Duration.ofSeconds(10)).until(() -> !old.isLeader());
        PartitionState now = admin.topics().get("t").orElseThrow().partitionState(0);
        assertThatThrownBy(() -> oldSession.topics().compareAndSetPartitionState("t", 0, now.withIsr(List.of(2, 3)),
                now.version(), old)).isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_CONTROLLER_EPOCH));
        System.out.printf("ControllerTakeoverTest: controller and leader killed together, new leader after %d ms"
                + " (registry session %d ms)%n", failoverMs, SESSION_MS);
    }

    @Test
    void aControllerThatIsOnlySlowIsNotEvicted() throws Exception {
        String root = "/takeover-2";
        broker(root, 1);
        Listener oldNameserver = new Listener();
        String oldId = Controller.participantId("127.0.0.1", oldNameserver.port());
        RegistryClient oldSession = session(root);
        LeaderElection old = oldSession.election(Controller.ELECTION, oldId);
        old.start();
        await().atMost(Duration.ofSeconds(10)).until(old::isLeader);

        Controller standby = new Controller(session(root),
                Controller.participantId("127.0.0.1", new Listener().port()), new SimpleMeterRegistry()).start();
        open.add(standby);
        await().atMost(Duration.ofSeconds(10)).until(() -> standby.probingController(oldId));

        // its connections drop but it still listens (a paused or busy process accepts): no proof, no takeover
        for (Socket s : oldNameserver.accepted) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> oldNameserver.accepted.size() >= 2);
        assertThat(old.isLeader()).isTrue();
        assertThat(standby.isActive()).isFalse();
    }
}
