package io.sluice.registry;

import io.sluice.remoting.protocol.BrokerInfo;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** Shared helpers of the registry tests: short timeouts, a fresh root per test, forced session expiry. */
final class ZkTests {
    private static final AtomicInteger ROOTS = new AtomicInteger();

    private ZkTests() {
    }

    /** A config for {@code zk} with short timeouts and a root no other test uses. */
    static RegistryConfig config(EmbeddedZooKeeper zk) {
        return new RegistryConfig()
                .connect("zookeeper://" + zk.connectString())
                .root("/test" + ROOTS.incrementAndGet())
                .sessionTimeoutMs(3_000)
                .connectionTimeoutMs(3_000)
                .retryBaseMs(50)
                .retryMaxMs(500)
                .watchCoalesceMs(10);
    }

    /** A copy of {@code config} (same root) for another client. */
    static RegistryConfig sameRoot(RegistryConfig config) {
        return new RegistryConfig().connect(config.connect()).root(config.root())
                .sessionTimeoutMs(config.sessionTimeoutMs()).connectionTimeoutMs(config.connectionTimeoutMs())
                .retryBaseMs(config.retryBaseMs()).retryMaxMs(config.retryMaxMs())
                .watchCoalesceMs(config.watchCoalesceMs());
    }

    static BrokerInfo broker(int id, int port) {
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = port;
        b.rack = "r1";
        b.startedAtMs = 1_000L + id;
        return b;
    }

    /** A plain ZooKeeper session (not namespaced) on the ensemble of {@code config}, connected. */
    static ZooKeeper rawSession(RegistryConfig config) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(config.connectString(), config.sessionTimeoutMs(), event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(5, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("could not connect to " + config.connectString());
        }
        return zk;
    }

    /**
     * Expires {@code client}'s session the way a partition would: another connection attaches to the same session
     * and closes it, so the server drops the session and its ephemeral nodes; the client then sees the expiry.
     */
    static void expireSession(RegistryClient client) throws Exception {
        ZooKeeper zk = client.curator().getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper killer = new ZooKeeper(client.config().connectString(), 3_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, zk.getSessionId(), zk.getSessionPasswd());
        try {
            if (!connected.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("could not attach to the session to expire it");
            }
        } finally {
            killer.close();
        }
    }
}
