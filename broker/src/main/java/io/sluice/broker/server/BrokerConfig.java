package io.sluice.broker.server;

import io.sluice.broker.group.GroupCoordinator;
import io.sluice.broker.log.LogConfig;
import io.sluice.broker.replica.ReplicationConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.TransportConfig;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Everything a broker needs to start, typed and validated once by {@link #conclude()}. Keys are named
 * {@code sluice.broker.*}; log defaults ({@code sluice.log.*}) live in {@link LogConfig}.
 */
public final class BrokerConfig {
    public static final String ID = "sluice.broker.id";
    public static final String HOST = "sluice.broker.host";
    public static final String PORT = "sluice.broker.port";
    public static final int PORT_DEFAULT = 9911;
    public static final String RACK = "sluice.broker.rack";
    public static final String DATA_DIR = "sluice.broker.data.dir";
    public static final String METRICS_PORT = "sluice.broker.metrics.port";
    public static final int METRICS_PORT_DEFAULT = 9912;
    public static final String FETCH_MAX_WAIT_MS = "sluice.broker.fetch.max.wait.ms";
    public static final long FETCH_MAX_WAIT_MS_DEFAULT = 30_000;
    public static final String FETCH_MAX_BYTES = "sluice.broker.fetch.max.bytes";
    public static final int FETCH_MAX_BYTES_DEFAULT = 8 * 1024 * 1024;
    public static final String MAX_PARKED_FETCHES = "sluice.broker.fetch.max.parked";
    public static final int MAX_PARKED_FETCHES_DEFAULT = 10_000;
    /** Fetch sessions (incremental fetch) a broker holds at most; 0 serves every fetch without a session. */
    public static final String FETCH_SESSION_CACHE_SLOTS = "sluice.broker.fetch.session.cache.slots";
    public static final int FETCH_SESSION_CACHE_SLOTS_DEFAULT = 1_000;
    /** How long a fetch session must have been unused before a new one may take its place in a full cache. */
    public static final String FETCH_SESSION_EVICTION_IDLE_MS = "sluice.broker.fetch.session.eviction.idle.ms";
    public static final long FETCH_SESSION_EVICTION_IDLE_MS_DEFAULT = 60_000;
    public static final String OFFSETS_RETENTION_MS = "sluice.broker.offsets.retention.ms";
    public static final long OFFSETS_RETENTION_MS_DEFAULT = GroupCoordinator.OFFSETS_RETENTION_MS_DEFAULT;
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "sluice.broker.offsets.retention.check.interval.ms";
    public static final long OFFSETS_RETENTION_CHECK_INTERVAL_MS_DEFAULT =
            GroupCoordinator.OFFSETS_RETENTION_CHECK_INTERVAL_MS_DEFAULT;
    /**
     * Produce requests are refused (STORAGE_FULL) while fewer bytes are free on the data directory's file system,
     * keeping room for replication, new segments and metadata; 0 refuses only when the disk is full.
     */
    public static final String STORAGE_MIN_FREE_BYTES = "sluice.broker.storage.min.free.bytes";
    public static final long STORAGE_MIN_FREE_BYTES_DEFAULT = 128L << 20;
    /**
     * A segment nobody read or wrote for this long closes its files and maps (its Chronicle queue, tailers,
     * appender and offset index); the next read or append opens them again.
     */
    public static final String LOG_IDLE_CLOSE_MS = "sluice.broker.log.idle.close.ms";
    public static final long LOG_IDLE_CLOSE_MS_DEFAULT = 30_000;
    /**
     * How often logs appended to since their last flush are flushed and their recovery point checkpointed: after a
     * crash, only batches appended since are walked again.
     */
    public static final String LOG_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS =
            "sluice.broker.log.recovery.point.checkpoint.interval.ms";
    public static final long LOG_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS_DEFAULT = 60_000;
    /** Threads that open logs at start-up and flush and close them at shutdown; 0 means one per core. */
    public static final String LOG_THREADS = "sluice.broker.log.threads";
    public static final int LOG_THREADS_DEFAULT = 0;
    /**
     * Segments of all partitions that may hold their files and maps open at once; past it the least recently used
     * ones that nothing reads or appends to are closed (they reopen on their next use). 0 derives it from the
     * process's open-files limit and {@code vm.max_map_count}, leaving room for sockets.
     */
    public static final String LOG_MAX_OPEN_SEGMENTS = "sluice.broker.log.max.open.segments";
    public static final int LOG_MAX_OPEN_SEGMENTS_DEFAULT = 0;

    private int id;
    private String host = "127.0.0.1";
    private int port = PORT_DEFAULT;
    private String rack = "";
    private Path dataDir = Paths.get("sluice-data", "broker-0");
    private int metricsPort = METRICS_PORT_DEFAULT;
    private long fetchMaxWaitMs = FETCH_MAX_WAIT_MS_DEFAULT;
    private int fetchMaxBytes = FETCH_MAX_BYTES_DEFAULT;
    private int maxParkedFetches = MAX_PARKED_FETCHES_DEFAULT;
    private int fetchSessionCacheSlots = FETCH_SESSION_CACHE_SLOTS_DEFAULT;
    private long fetchSessionEvictionIdleMs = FETCH_SESSION_EVICTION_IDLE_MS_DEFAULT;
    private long offsetsRetentionMs = OFFSETS_RETENTION_MS_DEFAULT;
    private long offsetsRetentionCheckIntervalMs = OFFSETS_RETENTION_CHECK_INTERVAL_MS_DEFAULT;
    private long storageMinFreeBytes = STORAGE_MIN_FREE_BYTES_DEFAULT;
    private long logIdleCloseMs = LOG_IDLE_CLOSE_MS_DEFAULT;
    private long logRecoveryPointCheckpointIntervalMs = LOG_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS_DEFAULT;
    private int logThreads = LOG_THREADS_DEFAULT;
    private int logMaxOpenSegments = LOG_MAX_OPEN_SEGMENTS_DEFAULT;
    private LogConfig logDefaults = LogConfig.defaults();
    private TransportConfig transport = new TransportConfig();
    private ReplicationConfig replication = new ReplicationConfig();

    public int id() {
        return id;
    }

    public BrokerConfig id(int value) {
        this.id = value;
        return this;
    }

    public String host() {
        return host;
    }

    public BrokerConfig host(String value) {
        this.host = value;
        return this;
    }

    /** Port of the broker's protocol listener; 0 picks a free one. */
    public int port() {
        return port;
    }

    public BrokerConfig port(int value) {
        this.port = value;
        return this;
    }

    public String rack() {
        return rack;
    }

    public BrokerConfig rack(String value) {
        this.rack = value == null ? "" : value;
        return this;
    }

    public Path dataDir() {
        return dataDir;
    }

    public BrokerConfig dataDir(Path value) {
        this.dataDir = value;
        return this;
    }

    /** Port of the Prometheus endpoint; 0 picks a free one, -1 disables it. */
    public int metricsPort() {
        return metricsPort;
    }

    public BrokerConfig metricsPort(int value) {
        this.metricsPort = value;
        return this;
    }

    /** Upper bound on how long a fetch may be parked, whatever the client asks. */
    public long fetchMaxWaitMs() {
        return fetchMaxWaitMs;
    }

    public BrokerConfig fetchMaxWaitMs(long value) {
        this.fetchMaxWaitMs = value;
        return this;
    }

    /** Upper bound on one fetch answer's payload, whatever the client asks. */
    public int fetchMaxBytes() {
        return fetchMaxBytes;
    }

    public BrokerConfig fetchMaxBytes(int value) {
        this.fetchMaxBytes = value;
        return this;
    }

    /** Fetches parked at once across the broker; past it a fetch is answered at once, even if empty. */
    public int maxParkedFetches() {
        return maxParkedFetches;
    }

    public BrokerConfig maxParkedFetches(int value) {
        this.maxParkedFetches = value;
        return this;
    }

    /** Fetch sessions held at most (Kafka's {@code max.incremental.fetch.session.cache.slots}). */
    public int fetchSessionCacheSlots() {
        return fetchSessionCacheSlots;
    }

    public BrokerConfig fetchSessionCacheSlots(int value) {
        this.fetchSessionCacheSlots = value;
        return this;
    }

    /** How long a fetch session must have been unused before a new one may evict it from a full cache. */
    public long fetchSessionEvictionIdleMs() {
        return fetchSessionEvictionIdleMs;
    }

    public BrokerConfig fetchSessionEvictionIdleMs(long value) {
        this.fetchSessionEvictionIdleMs = value;
        return this;
    }

    /**
     * How long the committed offsets of a group without members are kept: they expire once this long has passed
     * since both their commit and the group's last member (7 days by default, like Kafka).
     */
    public long offsetsRetentionMs() {
        return offsetsRetentionMs;
    }

    public BrokerConfig offsetsRetentionMs(long value) {
        this.offsetsRetentionMs = value;
        return this;
    }

    /** How often the group coordinator looks for expired offsets. */
    public long offsetsRetentionCheckIntervalMs() {
        return offsetsRetentionCheckIntervalMs;
    }

    public BrokerConfig offsetsRetentionCheckIntervalMs(long value) {
        this.offsetsRetentionCheckIntervalMs = value;
        return this;
    }

    /** Free bytes under which produces are refused (see {@link #STORAGE_MIN_FREE_BYTES}). */
    public long storageMinFreeBytes() {
        return storageMinFreeBytes;
    }

    public BrokerConfig storageMinFreeBytes(long value) {
        this.storageMinFreeBytes = value;
        return this;
    }

    /** See {@link #LOG_IDLE_CLOSE_MS}. */
    public long logIdleCloseMs() {
        return logIdleCloseMs;
    }

    public BrokerConfig logIdleCloseMs(long value) {
        this.logIdleCloseMs = value;
        return this;
    }

    /** See {@link #LOG_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS}. */
    public long logRecoveryPointCheckpointIntervalMs() {
        return logRecoveryPointCheckpointIntervalMs;
    }

    public BrokerConfig logRecoveryPointCheckpointIntervalMs(long value) {
        this.logRecoveryPointCheckpointIntervalMs = value;
        return this;
    }

    /** Threads for opening and closing logs (see {@link #LOG_THREADS}), 0 resolved to the core count. */
    public int logThreads() {
        return logThreads == 0 ? Runtime.getRuntime().availableProcessors() : logThreads;
    }

    public BrokerConfig logThreads(int value) {
        this.logThreads = value;
        return this;
    }

    /** See {@link #LOG_MAX_OPEN_SEGMENTS}; 0 means derived from the process limits. */
    public int logMaxOpenSegments() {
        return logMaxOpenSegments;
    }

    public BrokerConfig logMaxOpenSegments(int value) {
        this.logMaxOpenSegments = value;
        return this;
    }

    public LogConfig logDefaults() {
        return logDefaults;
    }

    public BrokerConfig logDefaults(LogConfig value) {
        this.logDefaults = value;
        return this;
    }

    public TransportConfig transport() {
        return transport;
    }

    public BrokerConfig transport(TransportConfig value) {
        this.transport = value;
        return this;
    }

    /** Replication settings ({@code sluice.replica.*}). */
    public ReplicationConfig replication() {
        return replication;
    }

    public BrokerConfig replication(ReplicationConfig value) {
        this.replication = value;
        return this;
    }

    public BrokerConfig conclude() {
        require(id >= 0, ID, id, "a non-negative integer");
        require(host != null && !host.isBlank(), HOST, host, "a host name or address");
        require(port >= 0 && port <= 65535, PORT, port, "between 0 and 65535");
        require(metricsPort >= -1 && metricsPort <= 65535, METRICS_PORT, metricsPort, "between -1 and 65535");
        require(dataDir != null, DATA_DIR, dataDir, "a directory path");
        require(fetchMaxWaitMs >= 0, FETCH_MAX_WAIT_MS, fetchMaxWaitMs, "at least 0");
        require(fetchMaxBytes >= 1024, FETCH_MAX_BYTES, fetchMaxBytes, "at least 1024");
        require(maxParkedFetches >= 0, MAX_PARKED_FETCHES, maxParkedFetches, "at least 0");
        require(fetchSessionCacheSlots >= 0, FETCH_SESSION_CACHE_SLOTS, fetchSessionCacheSlots, "at least 0");
        require(fetchSessionEvictionIdleMs >= 0, FETCH_SESSION_EVICTION_IDLE_MS, fetchSessionEvictionIdleMs,
                "at least 0");
        require(offsetsRetentionMs >= 1, OFFSETS_RETENTION_MS, offsetsRetentionMs, "at least 1");
        require(offsetsRetentionCheckIntervalMs >= 1, OFFSETS_RETENTION_CHECK_INTERVAL_MS,
                offsetsRetentionCheckIntervalMs, "at least 1");
        require(storageMinFreeBytes >= 0, STORAGE_MIN_FREE_BYTES, storageMinFreeBytes, "at least 0 (bytes)");
        require(logIdleCloseMs >= 1, LOG_IDLE_CLOSE_MS, logIdleCloseMs, "at least 1");
        require(logRecoveryPointCheckpointIntervalMs >= 1, LOG_RECOVERY_POINT_CHECKPOINT_INTERVAL_MS,
                logRecoveryPointCheckpointIntervalMs, "at least 1");
        require(logThreads >= 0 && logThreads <= 256, LOG_THREADS, logThreads, "between 0 and 256");
        require(logMaxOpenSegments >= 0, LOG_MAX_OPEN_SEGMENTS, logMaxOpenSegments, "0 (derived) or more");
        logDefaults.conclude();
        transport.conclude();
        replication.conclude();
        return this;
    }

    private static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is invalid: must be " + rule);
        }
    }
}
