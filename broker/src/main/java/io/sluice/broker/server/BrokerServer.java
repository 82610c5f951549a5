package io.sluice.broker.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.fetch.FetchReader;
import io.sluice.broker.fetch.FetchSessionCache;
import io.sluice.broker.handler.FetchHandler;
import io.sluice.broker.handler.ListOffsetsHandler;
import io.sluice.broker.handler.OffsetsForLeaderEpochHandler;
import io.sluice.broker.handler.PartitionStatesHandler;
import io.sluice.broker.handler.ProduceHandler;
import io.sluice.broker.log.LogManager;
import io.sluice.broker.log.OpenSegments;
import io.sluice.broker.log.ProcessLimits;
import io.sluice.broker.log.StorageGuard;
import io.sluice.broker.metrics.BrokerMetrics;
import io.sluice.broker.metrics.FollowerLagMetrics;
import io.sluice.broker.partition.LeaderLease;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.broker.replica.LeaderIsolationGuard;
import io.sluice.broker.replica.ReplicaManager;
import io.sluice.registry.RegistryClient;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.transport.RemotingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Wires one broker: the log manager, the partitions assigned to it by the registry, the request handlers on a
 * remoting server, retention, and its registration in the registry. Each component gets only what it needs.
 */
public final class BrokerServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerServer.class);

    private final BrokerConfig config;
    private final RegistryClient registry;
    private final MeterRegistry metrics;
    private LogManager logs;
    private PartitionManager partitions;
    private RemotingServer server;
    private TopicAssignmentsWatcher watcher;
    private ReplicaManager replicas;
    private LeaderIsolationGuard isolationGuard;
    private GroupCoordinator groups;
    private StorageGuard storage;
    private volatile ScheduledExecutorService background;
    private long startedAtMs;
    private int limitsCheckedFor = -1;
    private volatile boolean registered;
    private volatile boolean closed;

    /** The broker uses (but does not own) {@code registry}; {@code metrics} receives every broker meter. */
    public BrokerServer(BrokerConfig config, RegistryClient registry, MeterRegistry metrics) {
        this.config = config.conclude();
        this.registry = registry;
        this.metrics = metrics;
    }

    /** Opens the logs, starts serving, follows the registry's assignments, then registers the broker. */
    public BrokerServer start() {
        Clock clock = Clock.systemUTC();
        startedAtMs = System.currentTimeMillis();
        logs = new LogManager(config.dataDir(), config.logDefaults(), clock, config.logThreads(),
                OpenSegments.forProcess(config.logMaxOpenSegments()));
        storage = new StorageGuard(logs.dataDir(), config.storageMinFreeBytes(), BrokerConfig.STORAGE_MIN_FREE_BYTES)
                .listener(g -> storageChanged());
        storage.refresh();
        BrokerMetrics brokerMetrics = new BrokerMetrics(metrics);
        brokerMetrics.bindStorage(storage);
        LeaderLease lease = new LeaderLease();
        partitions = new PartitionManager(config.id(), logs, config.logDefaults(), brokerMetrics, lease);
        replicas = new ReplicaManager(config.id(), partitions, registry.brokers(), registry.topics(),
                config.replication(), metrics);
        server = new RemotingServer("broker-" + config.id(), config.transport(), metrics)
                .handle(ApiKey.PRODUCE, new ProduceHandler(partitions, storage))
                .handle(ApiKey.FETCH, new FetchHandler(new FetchReader(partitions, brokerMetrics),
                        new FetchSessionCache(config.fetchSessionCacheSlots(), config.fetchSessionEvictionIdleMs(),
                                metrics), config.fetchMaxWaitMs(), config.fetchMaxBytes(), config.maxParkedFetches()))
                .handle(ApiKey.LIST_OFFSETS, new ListOffsetsHandler(partitions))
                .handle(ApiKey.OFFSETS_FOR_LEADER_EPOCH, new OffsetsForLeaderEpochHandler(partitions))
                .handle(ApiKey.PARTITION_STATES, new PartitionStatesHandler(partitions));
        groups = new GroupCoordinator(config.id(), partitions, this::partitionCount, metrics)
                .offsetsRetention(config.offsetsRetentionMs(), config.offsetsRetentionCheckIntervalMs())
                .registerHandlers(server).start();
        try {
            server.start(config.host(), config.port());
            replicas.start();
            isolationGuard = new LeaderIsolationGuard(config.id(), registry, partitions, lease, metrics).start();
            watcher = new TopicAssignmentsWatcher(registry.topics(), partitions, replicas::sync);
            watcher.start();
            background = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "broker-" + config.id() + "-retention");
                t.setDaemon(true);
                return t;
            });
            long interval = config.logDefaults().retentionCheckIntervalMs();
            background.scheduleWithFixedDelay(this::runRetention, interval, interval, TimeUnit.MILLISECONDS);
            long idle = config.logIdleCloseMs();
            background.scheduleWithFixedDelay(() -> closeIdleLogFiles(idle), idle / 2 + 1, idle / 2 + 1,
                    TimeUnit.MILLISECONDS);
            long checkpoint = config.logRecoveryPointCheckpointIntervalMs();
            background.scheduleWithFixedDelay(logs::checkpointRecoveryPoints, checkpoint, checkpoint,
                    TimeUnit.MILLISECONDS);
            brokerMetrics.bindProcessLimits(logs);
            // assignments arrive from the registry after start-up too: check the limits whenever the count settles
            background.scheduleWithFixedDelay(this::checkLimits, 0, 10, TimeUnit.SECONDS);
            FollowerLagMetrics followerLag = new FollowerLagMetrics(config.id(), partitions, metrics);
            background.scheduleWithFixedDelay(followerLag::refresh, 1, 1, TimeUnit.SECONDS);
            background.scheduleWithFixedDelay(storage::refresh, 1, 1, TimeUnit.SECONDS);
            registry.brokers().register(brokerInfo());
            registered = true;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        log.info("Broker {} serving on {} with data in {}", config.id(), address(), config.dataDir().toAbsolutePath());
        return this;
    }

    private BrokerInfo brokerInfo() {
        BrokerInfo info = new BrokerInfo();
        info.id = config.id();
        info.host = config.host();
        info.port = address().getPort();
        info.rack = config.rack();
        info.startedAtMs = startedAtMs;
        info.storageState = storage.state().name();
        info.storageDetail = storage.describe();
        return info;
    }

    /** The storage state changed (on the thread that measured it): publish it in the registration, off that thread. */
    private void storageChanged() {
        ScheduledExecutorService bg = background;
        if (bg == null) {
            return;
        }
        try {
            bg.execute(() -> {
                if (registered && !closed) {
                    try {
                        registry.brokers().register(brokerInfo());
                    } catch (RuntimeException e) {
                        log.warn("Cannot publish the storage state of broker {}: {}", config.id(), e.toString());
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    private void runRetention() {
        try {
            int deleted = logs.runRetention(System.currentTimeMillis());
            if (deleted > 0) {
                log.info("Retention deleted {} segments", deleted);
            }
        } catch (RuntimeException e) {
            log.warn("Retention run failed", e);
        }
    }

    /** Logs the limits check (one line) when the number of hosted partitions changed since the last one. */
    private void checkLimits() {
        try {
            int hosted = partitions.all().size();
            if (hosted != limitsCheckedFor) {
                limitsCheckedFor = hosted;
                ProcessLimits.check(hosted);
            }
        } catch (RuntimeException e) {
            log.warn("Limits check failed", e);
        }
    }

    private void closeIdleLogFiles(long idleMs) {
        try {
            logs.closeIdleFiles(idleMs);
        } catch (RuntimeException e) {
            log.warn("Closing idle log files failed", e);
        }
    }

    private Integer partitionCount(String topic) {
        io.sluice.registry.TopicMetadata t = registry.topics().snapshot().get(topic);
        return t == null ? null : t.partitionStates().size();
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    public int id() {
        return config.id();
    }

    public PartitionManager partitions() {
        return partitions;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (registry != null && server != null) {
                registry.brokers().unregister(config.id());
            }
        } catch (RuntimeException e) {
            log.debug("Unregistering broker {} failed", config.id(), e);
        }
        closeQuietly(isolationGuard);
        closeQuietly(watcher);
        closeQuietly(replicas);
        closeQuietly(groups);
        if (background != null) {
            background.shutdownNow();
        }
        closeQuietly(server);
        closeQuietly(partitions);
        closeQuietly(logs);
        log.info("Broker {} stopped", config.id());
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("Closing {} failed", c, e);
        }
    }
}
