package io.sluice.registry.zk;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ephemeral node this client keeps registered for as long as it is open: created synchronously by
 * {@link #create()}, re-created on the worker thread whenever it disappears (session expiry followed by a new session,
 * or deletion by someone else), deleted by {@link #close()}.
 *
 * <p>A node of the same path held by another session is a conflict: at {@link #create()} the {@link OnConflict}
 * policy either refuses (throws) or takes the node over (it is stale, e.g. left by a crashed predecessor whose
 * session has not expired yet). When re-creating later, a foreign node is never taken over: this client waits for
 * it to disappear.
 *
 * <p>Thread-safe: every ZooKeeper step runs under this object's lock.
 */
public final class EphemeralNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EphemeralNode.class);
    private static final int CREATE_ATTEMPTS = 3;

    /** Decides what to do when another session holds the node at registration time. */
    @FunctionalInterface
    public interface OnConflict {
        /** Returns normally to take the node over; throws a SluiceException to refuse the registration. */
        void check(byte[] existingData);
    }

    private final ZkContext ctx;
    private final CuratorFramework client;
    private final String path;
    private final OnConflict onConflict;
    private final AtomicBoolean retryPending = new AtomicBoolean();
    private final CuratorWatcher watcher = this::onWatch;
    private final ConnectionStateListener stateListener = this::onStateChange;
    private volatile byte[] data;
    /** the session that last created (or took over) the node; a later session may find it still held by it */
    private long ownSession;
    private boolean closed;

    EphemeralNode(ZkContext ctx, String path, byte[] data, OnConflict onConflict) {
        this.ctx = ctx;
        this.client = ctx.client();
        this.path = path;
        this.data = data;
        this.onConflict = onConflict;
    }

    public String path() {
        return path;
    }

    /** Registers the node now; throws what the conflict policy throws, or REGISTRY_UNAVAILABLE. */
    synchronized void create() {
        ctx.requireConnected("register " + path);
        try {
            for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
                if (tryCreate()) {
                    ctx.addStateListener(stateListener);
                    return;
                }
            }
        } catch (Exception e) {
            throw ctx.translate("register " + path, e);
        }
        throw new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "could not register " + path + ": the node kept"
                + " changing under concurrent registrations; retry");
    }

    private boolean tryCreate() throws Exception {
        try {
            client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
            ownSession = ctx.sessionId();
            watchOrRetry();
            return true;
        } catch (KeeperException.NodeExistsException e) {
            Stat stat = new Stat();
            byte[] existing;
            try {
                existing = client.getData().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException gone) {
                return false;
            }
            if (stat.getEphemeralOwner() == ctx.sessionId()) {
                client.setData().withVersion(stat.getVersion()).forPath(path, data);
                ownSession = ctx.sessionId();
                watchOrRetry();
                return true;
            }
            onConflict.check(existing);
            LOG.info("taking over stale registration {} held by session 0x{}", path,
                    Long.toHexString(stat.getEphemeralOwner()));
            try {
                client.delete().withVersion(stat.getVersion()).forPath(path);
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException raced) {
                // someone else changed it; look again
            }
            return false;
        }
    }

    /** Replaces the registered data (this client's node only). */
    synchronized void setData(byte[] newData) {
        this.data = newData;
        ctx.requireConnected("update " + path);
        try {
            Stat stat = client.checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == ctx.sessionId()) {
                client.setData().withVersion(stat.getVersion()).forPath(path, newData);
                return;
            }
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            // changed under us: ensure() below settles it
        } catch (Exception e) {
            throw ctx.translate("update " + path, e);
        }
        retryLater(0);
    }

    /** Makes sure the node exists and is watched; runs on the worker thread. */
    private synchronized void ensure() {
        if (closed) {
            return;
        }
        try {
            Stat stat = client.checkExists().usingWatcher(watcher).forPath(path);
            long session = ctx.sessionId();
            if (stat != null && ownSession != 0 && stat.getEphemeralOwner() != session
                    && stat.getEphemeralOwner() == ownSession) {
                // still held by this client's previous session (e.g. ZooKeeper restarted and restored it while
                // this client had already moved to a new session): it is ours, replace it now
                client.delete().withVersion(stat.getVersion()).forPath(path);
                stat = null;
            }
            if (stat == null) {
                client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
                ownSession = ctx.sessionId();
                watchOrRetry();
                LOG.info("re-registered {}", path);
            } else if (stat.getEphemeralOwner() != session) {
                LOG.warn("{} is held by another session (0x{}); re-registering once it goes away", path,
                        Long.toHexString(stat.getEphemeralOwner()));
            }
        } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException
                | KeeperException.NoNodeException e) {
            retryLater(10);
        } catch (Exception e) {
            LOG.warn("could not re-register {} ({}); retrying", path, e.toString());
            retryLater(ctx.config().retryMaxMs());
        }
    }

    /** Sets the watch on the node; if it is gone already, schedules its re-creation. */
    private void watchOrRetry() throws Exception {
        if (client.checkExists().usingWatcher(watcher).forPath(path) == null) {
            retryLater(0);
        }
    }

    private void retryLater(long delayMs) {
        if (retryPending.compareAndSet(false, true)) {
            ctx.work("re-register " + path, () -> {
                retryPending.set(false);
                ensure();
            }, delayMs);
        }
    }

    private void onWatch(WatchedEvent event) {
        if (event.getType() != Watcher.Event.EventType.None) {
            retryLater(0);
        }
    }

    private void onStateChange(CuratorFramework c, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED) {
            retryLater(0);
        }
    }

    /** Stops keeping the node and deletes it if this session holds it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ctx.removeStateListener(stateListener);
        if (!client.getZookeeperClient().isConnected()) {
            LOG.debug("not connected; {} goes away with the session", path);
            return;
        }
        try {
            Stat stat = client.checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == ctx.sessionId()) {
                client.delete().withVersion(stat.getVersion()).forPath(path);
            }
        } catch (Exception e) {
            LOG.debug("could not delete {} on close ({}); it goes with the session", path, e.toString());
        }
    }
}
