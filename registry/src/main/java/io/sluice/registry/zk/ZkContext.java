package io.sluice.registry.zk;

import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the registry components of one client share: the Curator client, the config, and two threads. The worker
 * runs blocking ZooKeeper maintenance (re-creating ephemeral nodes, elections); the notifier runs cache rebuilds and
 * every user callback, one at a time and in order, so a slow ZooKeeper never delays notifications and a callback
 * never runs on a Curator thread. Both queues are bounded by the small number of tasks each component schedules
 * (each schedules at most one pending rebuild or attempt at a time).
 *
 * <p>Thread-safe.
 */
public final class ZkContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZkContext.class);

    private final CuratorFramework client;
    private final RegistryConfig config;
    private final ScheduledExecutorService worker;
    private final ScheduledExecutorService notifier;

    public ZkContext(CuratorFramework client, RegistryConfig config) {
        this.client = client;
        this.config = config;
        this.worker = Executors.newSingleThreadScheduledExecutor(daemon("sluice-registry-worker"));
        this.notifier = Executors.newSingleThreadScheduledExecutor(daemon("sluice-registry-notifier"));
    }

    public CuratorFramework client() {
        return client;
    }

    public RegistryConfig config() {
        return config;
    }

    /** Runs {@code task} on the notifier thread, logging (never propagating) what it throws. */
    public void post(String what, Runnable task) {
        execute(notifier, what, task, 0);
    }

    /** Runs {@code task} on the notifier thread after {@code delayMs}. */
    void postLater(String what, Runnable task, long delayMs) {
        execute(notifier, what, task, delayMs);
    }

    /** Runs {@code task} on the worker thread after {@code delayMs}, logging what it throws. */
    void work(String what, Runnable task, long delayMs) {
        execute(worker, what, task, delayMs);
    }

    private static void execute(ScheduledExecutorService executor, String what, Runnable task, long delayMs) {
        Runnable safe = () -> {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.warn("registry {} failed", what, t);
            }
        };
        try {
            if (delayMs <= 0) {
                executor.execute(safe);
            } else {
                executor.schedule(safe, delayMs, TimeUnit.MILLISECONDS);
            }
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("registry closed; dropped {}", what);
        }
    }

    public void addStateListener(ConnectionStateListener listener) {
        client.getConnectionStateListenable().addListener(listener);
    }

    public void removeStateListener(ConnectionStateListener listener) {
        client.getConnectionStateListenable().removeListener(listener);
    }

    /**
     * Returns at once while connected; otherwise waits up to the connection timeout for a connection and throws
     * REGISTRY_UNAVAILABLE (naming {@code action} and the ensemble) if none comes, so that a synchronous operation
     * fails within about the connection timeout instead of running through Curator's retries.
     */
    public void requireConnected(String action) {
        if (client.getZookeeperClient().isConnected()) {
            return;
        }
        boolean connected;
        try {
            connected = client.blockUntilConnected(config.connectionTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw translate(action, e);
        }
        if (!connected) {
            throw new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "could not " + action + ": no connection to"
                    + " ZooKeeper at " + config.connectString() + " within " + config.connectionTimeoutMs() + " ms");
        }
    }

    /** The id of the current ZooKeeper session (changes after an expiry). */
    long sessionId() throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    /**
     * The Sluice error for a failed ZooKeeper operation: REGISTRY_UNAVAILABLE for connection and session trouble or
     * an interrupt (the interrupt flag is restored), the SluiceException itself if it is one, UNKNOWN otherwise.
     */
    public SluiceException translate(String action, Exception e) {
        if (e instanceof SluiceException se) {
            return se;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "interrupted while trying to " + action, e);
        }
        if (e instanceof KeeperException.ConnectionLossException || e instanceof KeeperException.SessionExpiredException
                || e instanceof KeeperException.OperationTimeoutException
                || e instanceof KeeperException.SessionMovedException) {
            return new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "could not " + action + ": ZooKeeper at "
                    + config.connectString() + " is unreachable (" + e.getMessage() + ")", e);
        }
        return new SluiceException(ErrorCode.UNKNOWN, "could not " + action + ": " + e, e);
    }

    /** Stops both threads; queued tasks are dropped after a short grace period. */
    @Override
    public void close() {
        worker.shutdownNow();
        notifier.shutdown();
        try {
            if (!notifier.awaitTermination(1, TimeUnit.SECONDS)) {
                notifier.shutdownNow();
            }
        } catch (InterruptedException e) {
            notifier.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
