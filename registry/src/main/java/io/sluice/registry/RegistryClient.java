package io.sluice.registry;

import io.sluice.registry.zk.ZkBrokerRegistry;
import io.sluice.registry.zk.ZkContext;
import io.sluice.registry.zk.ZkLeaderElection;
import io.sluice.registry.zk.ZkPaths;
import io.sluice.registry.zk.ZkServiceRegistry;
import io.sluice.registry.zk.ZkTopicStore;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session with the registry (ZooKeeper through Curator) and the views built on it: {@link #brokers()},
 * {@link #topics()}, {@link #services()} and named {@link #election elections}. Everything lives under the
 * configured root, which is the Curator namespace: {@link #curator()} sees {@code /controller} as
 * {@code <root>/controller}.
 *
 * <p>Ephemeral registrations (brokers, providers, consumers, leaders) live as long as the session and are
 * re-created after a session expiry; closing the client deletes them. Listener callbacks of every view run on one
 * notification thread per client, in order; a callback that throws is logged and stays registered.
 *
 * <p>Thread-safe.
 */
public final class RegistryClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);

    private final RegistryConfig config;
    private final CuratorFramework curator;
    private final ZkContext ctx;
    private final ZkBrokerRegistry brokers;
    private final ZkTopicStore topics;
    private final ZkServiceRegistry services;
    private final Set<LeaderElection> elections = ConcurrentHashMap.newKeySet();
    private final ConnectionStateListener logListener;
    private volatile RegistryStatus status;
    private boolean closed;

    private RegistryClient(RegistryConfig config, CuratorFramework curator) {
        this.config = config;
        this.curator = curator;
        this.ctx = new ZkContext(curator, config);
        this.brokers = new ZkBrokerRegistry(ctx);
        this.topics = new ZkTopicStore(ctx);
        this.services = new ZkServiceRegistry(ctx);
        this.status = new RegistryStatus(RegistryStatus.State.CONNECTED, System.currentTimeMillis(),
                config.connectString());
        this.logListener = (c, state) -> {
            track(state);
            logState(state);
        };
        curator.getConnectionStateListenable().addListener(logListener);
    }

    /**
     * Concludes {@code config}, connects and waits until connected. Throws REGISTRY_UNAVAILABLE naming the connect
     * string if no ZooKeeper answers within {@code sluice.registry.connection.timeout.ms}, INVALID_CONFIG for a bad
     * config.
     */
    public static RegistryClient connect(RegistryConfig config) {
        config.conclude();
        String root = config.root();
        CuratorFramework curator = CuratorFrameworkFactory.builder()
                .connectString(config.connectString())
                .sessionTimeoutMs(config.sessionTimeoutMs())
                .connectionTimeoutMs(config.connectionTimeoutMs())
                .retryPolicy(new BoundedExponentialBackoffRetry(config.retryBaseMs(), config.retryMaxMs(),
                        config.retryMaxAttempts()))
                .namespace(root.equals("/") ? null : root.substring(1))
                .ensembleTracker(false)
                .build();
        curator.start();
        boolean connected;
        try {
            connected = curator.blockUntilConnected(config.connectionTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            curator.close();
            throw new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "interrupted while connecting to ZooKeeper at "
                    + config.connectString(), e);
        }
        if (!connected) {
            curator.close();
            throw new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "cannot reach ZooKeeper at "
                    + config.connectString() + " within " + config.connectionTimeoutMs() + " ms (check "
                    + RegistryConfig.CONNECT + " and that ZooKeeper is running)");
        }
        LOG.info("connected to ZooKeeper at {} (root {})", config.connectString(), root);
        return new RegistryClient(config, curator);
    }

    public RegistryConfig config() {
        return config;
    }

    /** The Curator client, namespaced under the root, for recipes this API does not cover. Do not close it. */
    public CuratorFramework curator() {
        return curator;
    }

    public BrokerRegistry brokers() {
        return brokers;
    }

    public TopicStore topics() {
        return topics;
    }

    public ServiceRegistry services() {
        return services;
    }

    /**
     * A new participant {@code participantId} in the election {@code name} (leader node {@code /<name>}, epoch
     * counter {@code /<name>_epoch}); call {@link LeaderElection#start()} to compete. The name must be a node name
     * other than brokers, topics and services; INVALID_REQUEST otherwise.
     */
    public LeaderElection election(String name, String participantId) {
        ZkPaths.requireSegment("election name", name);
        if (("/" + name).equals(ZkPaths.BROKERS) || ("/" + name).equals(ZkPaths.TOPICS)
                || ("/" + name).equals(ZkPaths.SERVICES) || name.endsWith("_epoch")) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "election name '" + name + "' is reserved");
        }
        synchronized (this) {
            if (closed) {
                throw new SluiceException(ErrorCode.CLIENT_CLOSED, "registry client is closed");
            }
            ZkLeaderElection election = new ZkLeaderElection(ctx, name, participantId);
            elections.add(election);
            return election;
        }
    }

    /** True while the client has a live connection to ZooKeeper. */
    public boolean isConnected() {
        return curator.getZookeeperClient().isConnected();
    }

    /**
     * The connection's state and since when it holds (updated as Curator reports changes; a dropped connection is
     * seen at once when the socket breaks, after two thirds of the session timeout of silence otherwise).
     */
    public RegistryStatus status() {
        return status;
    }

    /**
     * Calls {@code listener} with true when the connection is (re-)established and false when it is suspended or
     * the session is lost; on the notification thread.
     */
    public void addConnectionListener(Consumer<Boolean> listener) {
        curator.getConnectionStateListenable().addListener((c, state) -> ctx.post("connection listener",
                () -> listener.accept(state.isConnected())));
    }

    /**
     * Calls {@code listener} with every change of the connection, distinguishing a reconnect in the same session
     * from one in a new session. Unlike {@link #addConnectionListener} it runs at once on Curator's connection-state
     * thread (not behind queued view rebuilds), so a {@link SessionEvent#SUSPENDED} is seen as early as Curator
     * reports it; the listener must be quick and must not block. Close the returned handle to stop.
     */
    public AutoCloseable addSessionListener(Consumer<SessionEvent> listener) {
        long[] lastSession = {currentSessionId()};
        boolean[] lost = {false};
        ConnectionStateListener adapter = (c, state) -> {
            SessionEvent event;
            switch (state) {
                case SUSPENDED, READ_ONLY -> event = SessionEvent.SUSPENDED;
                case LOST -> {
                    lost[0] = true;
                    event = SessionEvent.LOST;
                }
                case CONNECTED, RECONNECTED -> {
                    long session = currentSessionId();
                    boolean same = !lost[0] && session == lastSession[0] && session != 0;
                    lastSession[0] = session;
                    lost[0] = false;
                    event = same ? SessionEvent.RECONNECTED : SessionEvent.NEW_SESSION;
                }
                default -> {
                    return;
                }
            }
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("session listener failed on {}", event, e);
            }
        };
        curator.getConnectionStateListenable().addListener(adapter);
        return () -> curator.getConnectionStateListenable().removeListener(adapter);
    }

    /** The id of the current ZooKeeper session, 0 if there is none. */
    private long currentSessionId() {
        try {
            return curator.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    private void track(ConnectionState state) {
        RegistryStatus.State next = switch (state) {
            case CONNECTED, RECONNECTED -> RegistryStatus.State.CONNECTED;
            case SUSPENDED, READ_ONLY -> RegistryStatus.State.SUSPENDED;
            case LOST -> RegistryStatus.State.LOST;
        };
        RegistryStatus.State current = status.state();
        if (next != current && !(current == RegistryStatus.State.LOST && next == RegistryStatus.State.SUSPENDED)) {
            status = new RegistryStatus(next, System.currentTimeMillis(), config.connectString());
        }
    }

    private void logState(ConnectionState state) {
        switch (state) {
            case SUSPENDED -> LOG.warn("connection to ZooKeeper at {} suspended", config.connectString());
            case LOST -> LOG.warn("ZooKeeper session at {} lost; ephemeral registrations will be re-created",
                    config.connectString());
            case RECONNECTED -> LOG.info("reconnected to ZooKeeper at {}", config.connectString());
            default -> LOG.debug("ZooKeeper connection {}", state);
        }
    }

    /** Resigns elections, deletes this client's registrations, stops the views and closes the session. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        elections.forEach(LeaderElection::close);
        services.close();
        brokers.close();
        topics.close();
        curator.getConnectionStateListenable().removeListener(logListener);
        curator.close();
        ctx.close();
        LOG.info("registry client for {} closed", config.connectString());
    }
}
