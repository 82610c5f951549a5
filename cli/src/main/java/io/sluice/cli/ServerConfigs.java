package io.sluice.cli;

import io.sluice.broker.log.LogConfig;
import io.sluice.broker.replica.ReplicationConfig;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.config.ConfigSource;
import io.sluice.remoting.config.KnownKeys;
import io.sluice.remoting.transport.TransportConfig;

import java.nio.file.Path;
import java.util.Map;

/** Reads the typed configs of each server part from one {@link ConfigSource} (file + options + system properties). */
final class ServerConfigs {
    private ServerConfigs() {
    }

    static RegistryConfig registry(ConfigSource cfg) {
        return new RegistryConfig().apply(cfg.asMap()).conclude();
    }

    static TransportConfig transport(ConfigSource cfg) {
        return TransportConfig.from(cfg);
    }

    static LogConfig logDefaults(ConfigSource cfg) {
        return LogConfig.fromProperties(cfg.asMap());
    }

    static NameServerConfig nameserver(ConfigSource cfg) {
        return new NameServerConfig()
                .host(cfg.getString(NameServerConfig.HOST, "127.0.0.1"))
                .port(cfg.getInt(NameServerConfig.PORT, NameServerConfig.PORT_DEFAULT))
                .metricsPort(cfg.getInt(NameServerConfig.METRICS_PORT, NameServerConfig.METRICS_PORT_DEFAULT))
                .defaultPartitions(cfg.getInt(NameServerConfig.DEFAULT_PARTITIONS, 8))
                .offsetsTopicReplicationFactor(cfg.getInt(NameServerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR,
                        NameServerConfig.OFFSETS_TOPIC_REPLICATION_FACTOR_DEFAULT))
                .probeBrokers(cfg.getBoolean(NameServerConfig.PROBE_BROKERS, true))
                .probeController(cfg.getBoolean(NameServerConfig.PROBE_CONTROLLER, true))
                .transport(transport(cfg))
                .conclude();
    }

    static BrokerConfig broker(ConfigSource cfg) {
        return new BrokerConfig()
                .id(cfg.getInt(BrokerConfig.ID, 0))
                .host(cfg.getString(BrokerConfig.HOST, "127.0.0.1"))
                .port(cfg.getInt(BrokerConfig.PORT, BrokerConfig.PORT_DEFAULT))
                .rack(cfg.getString(BrokerConfig.RACK, ""))
                .dataDir(Path.of(cfg.getString(BrokerConfig.DATA_DIR, "sluice-data/broker-0")))
                .metricsPort(cfg.getInt(BrokerConfig.METRICS_PORT, BrokerConfig.METRICS_PORT_DEFAULT))
                .fetchMaxWaitMs(cfg.getLong(BrokerConfig.FETCH_MAX_WAIT_MS, BrokerConfig.FETCH_MAX_WAIT_MS_DEFAULT))
                .fetchMaxBytes(cfg.getInt(BrokerConfig.FETCH_MAX_BYTES, BrokerConfig.FETCH_MAX_BYTES_DEFAULT))
                .maxParkedFetches(cfg.getInt(BrokerConfig.MAX_PARKED_FETCHES, BrokerConfig.MAX_PARKED_FETCHES_DEFAULT))
                .fetchSessionCacheSlots(cfg.getInt(BrokerConfig.FETCH_SESSION_CACHE_SLOTS,
                        BrokerConfig.FETCH_SESSION_CACHE_SLOTS_DEFAULT))
                .fetchSessionEvictionIdleMs(cfg.getLong(BrokerConfig.FETCH_SESSION_EVICTION_IDLE_MS,
                        BrokerConfig.FETCH_SESSION_EVICTION_IDLE_MS_DEFAULT))
                .offsetsRetentionMs(cfg.getLong(BrokerConfig.OFFSETS_RETENTION_MS,
                        BrokerConfig.OFFSETS_RETENTION_MS_DEFAULT))
                .offsetsRetentionCheckIntervalMs(cfg.getLong(BrokerConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS,
                        BrokerConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS_DEFAULT))
                .storageMinFreeBytes(cfg.getLong(BrokerConfig.STORAGE_MIN_FREE_BYTES,
                        BrokerConfig.STORAGE_MIN_FREE_BYTES_DEFAULT))
                .logIdleCloseMs(cfg.getLong(BrokerConfig.LOG_IDLE_CLOSE_MS, BrokerConfig.LOG_IDLE_CLOSE_MS_DEFAULT))
                .logRecoveryPointCheckpointIntervalMs(cfg.getLong(BrokerConfig.LOG_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS,
                        BrokerConfig.LOG_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS_DEFAULT))
                .logThreads(cfg.getInt(BrokerConfig.LOG_THREADS, BrokerConfig.LOG_THREADS_DEFAULT))
                .logMaxOpenSegments(cfg.getInt(BrokerConfig.LOG_MAX_OPEN_SEGMENTS,
                        BrokerConfig.LOG_MAX_OPEN_SEGMENTS_DEFAULT))
                .logDefaults(logDefaults(cfg))
                .transport(transport(cfg))
                .replication(replication(cfg))
                .conclude();
    }

    static ReplicationConfig replication(ConfigSource cfg) {
        ReplicationConfig defaults = new ReplicationConfig();
        return new ReplicationConfig()
                .lagTimeMaxMs(cfg.getLong(ReplicationConfig.LAG_TIME_MAX_MS, defaults.lagTimeMaxMs()))
                .fetchMaxWaitMs(cfg.getInt(ReplicationConfig.FETCH_MAX_WAIT_MS, defaults.fetchMaxWaitMs()))
                .fetchMaxBytes(cfg.getInt(ReplicationConfig.FETCH_MAX_BYTES, defaults.fetchMaxBytes()))
                .fetchResponseMaxBytes(cfg.getInt(ReplicationConfig.FETCH_RESPONSE_MAX_BYTES,
                        defaults.fetchResponseMaxBytes()))
                .backoffMs(cfg.getLong(ReplicationConfig.BACKOFF_MS, defaults.backoffMs()));
    }

    /** Every key a server command understands (whichever parts it runs: they share one file). */
    static final KnownKeys KEYS = KnownKeys.declaredIn(RegistryConfig.class, TransportConfig.class, LogConfig.class,
            NameServerConfig.class, BrokerConfig.class, ReplicationConfig.class, ZooKeeperCommand.class);

    /**
     * The config file given, or conf/sluice.yaml under the Sluice home when it exists, else none; with the options
     * and system properties over it. INVALID_CONFIG for a key no server part knows (see {@link KnownKeys#check}).
     */
    static ConfigSource load(Path file, Map<String, String> overrides) {
        Path chosen = file;
        if (chosen == null) {
            String home = System.getProperty("sluice.home");
            Path candidate = home == null ? null : Path.of(home, "conf", "sluice.yaml");
            if (candidate != null && candidate.toFile().isFile()) {
                chosen = candidate;
            }
        }
        ConfigSource source = ConfigSource.load(chosen, overrides);
        KEYS.check(source);
        return source;
    }
}
