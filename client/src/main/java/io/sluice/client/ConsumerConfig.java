package io.sluice.client;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.client.internals.ConfigSupport;
import io.sluice.remoting.config.ConfigSource;
import io.sluice.remoting.transport.TransportConfig;

import java.util.Locale;

import static io.sluice.client.internals.ConfigSupport.require;

/**
 * Settings of a {@link Consumer}: named keys beside their defaults, fluent accessors without prefixes, and
 * {@link #conclude()} which validates everything once and throws {@code INVALID_CONFIG} naming the key and value.
 * Not thread-safe; do not change a config after handing it to a consumer.
 */
public final class ConsumerConfig {
    public static final String CLIENT_ID = "sluice.consumer.client.id";
    public static final String NAMESERVERS = "sluice.consumer.nameservers";
    public static final String NAMESERVERS_DEFAULT = "127.0.0.1:9876";
    /** Most bytes one fetch returns in all (Kafka's {@code fetch.max.bytes}); it asks for every partition of a broker. */
    public static final String FETCH_MAX_BYTES = "sluice.consumer.fetch.max.bytes";
    public static final int FETCH_MAX_BYTES_DEFAULT = 8 * 1024 * 1024;
    /** Most bytes one fetch returns for one partition (Kafka's {@code max.partition.fetch.bytes}). */
    public static final String MAX_PARTITION_FETCH_BYTES = "sluice.consumer.max.partition.fetch.bytes";
    public static final int MAX_PARTITION_FETCH_BYTES_DEFAULT = 1024 * 1024;
    public static final String FETCH_MAX_WAIT_MS = "sluice.consumer.fetch.max.wait.ms";
    public static final int FETCH_MAX_WAIT_MS_DEFAULT = 500;
    public static final String FETCH_MIN_BYTES = "sluice.consumer.fetch.min.bytes";
    public static final int FETCH_MIN_BYTES_DEFAULT = 1;
    public static final String MAX_POLL_RECORDS = "sluice.consumer.max.poll.records";
    public static final int MAX_POLL_RECORDS_DEFAULT = 500;
    public static final String AUTO_OFFSET_RESET = "sluice.consumer.auto.offset.reset";
    public static final AutoOffsetReset AUTO_OFFSET_RESET_DEFAULT = AutoOffsetReset.LATEST;
    public static final String REQUEST_TIMEOUT_MS = "sluice.consumer.request.timeout.ms";
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 30_000;
    public static final String DEFAULT_API_TIMEOUT_MS = "sluice.consumer.default.api.timeout.ms";
    public static final long DEFAULT_API_TIMEOUT_MS_DEFAULT = 60_000;
    public static final String RETRY_BACKOFF_MS = "sluice.consumer.retry.backoff.ms";
    public static final long RETRY_BACKOFF_MS_DEFAULT = 100;
    public static final String RETRY_BACKOFF_MAX_MS = "sluice.consumer.retry.backoff.max.ms";
    public static final long RETRY_BACKOFF_MAX_MS_DEFAULT = 1_000;
    public static final String METADATA_MAX_AGE_MS = "sluice.consumer.metadata.max.age.ms";
    public static final long METADATA_MAX_AGE_MS_DEFAULT = 300_000;
    public static final String CHECK_CRCS = "sluice.consumer.check.crcs";
    public static final boolean CHECK_CRCS_DEFAULT = true;
    public static final String GROUP_ID = "sluice.consumer.group.id";
    public static final String GROUP_INSTANCE_ID = "sluice.consumer.group.instance.id";
    public static final String SESSION_TIMEOUT_MS = "sluice.consumer.session.timeout.ms";
    public static final int SESSION_TIMEOUT_MS_DEFAULT = 3_000;
    public static final String HEARTBEAT_INTERVAL_MS = "sluice.consumer.heartbeat.interval.ms";
    public static final int HEARTBEAT_INTERVAL_MS_DEFAULT = 300;
    public static final String MAX_POLL_INTERVAL_MS = "sluice.consumer.max.poll.interval.ms";
    public static final int MAX_POLL_INTERVAL_MS_DEFAULT = 300_000;
    public static final String ENABLE_AUTO_COMMIT = "sluice.consumer.enable.auto.commit";
    public static final boolean ENABLE_AUTO_COMMIT_DEFAULT = true;
    public static final String AUTO_COMMIT_INTERVAL_MS = "sluice.consumer.auto.commit.interval.ms";
    public static final long AUTO_COMMIT_INTERVAL_MS_DEFAULT = 5_000;
    public static final String PARTITION_ASSIGNMENT_STRATEGY = "sluice.consumer.partition.assignment.strategy";
    public static final String PARTITION_ASSIGNMENT_STRATEGY_DEFAULT = "range";
    public static final String BROADCAST = "sluice.consumer.broadcast";
    public static final boolean BROADCAST_DEFAULT = false;

    /** Where a consumer starts reading a partition it has no position for, or whose position left the log. */
    public enum AutoOffsetReset {
        /** The log start: read everything still stored. */
        EARLIEST,
        /** The log end: read only records produced from now on. */
        LATEST,
        /** No reset: {@code poll} throws {@code OFFSET_OUT_OF_RANGE} until the application seeks. */
        NONE
    }

    private String clientId;
    private String nameservers = NAMESERVERS_DEFAULT;
    private int fetchMaxBytes = FETCH_MAX_BYTES_DEFAULT;
    private int maxPartitionFetchBytes = MAX_PARTITION_FETCH_BYTES_DEFAULT;
    private int fetchMaxWaitMs = FETCH_MAX_WAIT_MS_DEFAULT;
    private int fetchMinBytes = FETCH_MIN_BYTES_DEFAULT;
    private int maxPollRecords = MAX_POLL_RECORDS_DEFAULT;
    private AutoOffsetReset autoOffsetReset = AUTO_OFFSET_RESET_DEFAULT;
    private long requestTimeoutMs = REQUEST_TIMEOUT_MS_DEFAULT;
    private long defaultApiTimeoutMs = DEFAULT_API_TIMEOUT_MS_DEFAULT;
    private long retryBackoffMs = RETRY_BACKOFF_MS_DEFAULT;
    private long retryBackoffMaxMs = RETRY_BACKOFF_MAX_MS_DEFAULT;
    private long metadataMaxAgeMs = METADATA_MAX_AGE_MS_DEFAULT;
    private boolean checkCrcs = CHECK_CRCS_DEFAULT;
    private String groupId;
    private String groupInstanceId;
    private int sessionTimeoutMs = SESSION_TIMEOUT_MS_DEFAULT;
    private int heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS_DEFAULT;
    private int maxPollIntervalMs = MAX_POLL_INTERVAL_MS_DEFAULT;
    private boolean enableAutoCommit = ENABLE_AUTO_COMMIT_DEFAULT;
    private long autoCommitIntervalMs = AUTO_COMMIT_INTERVAL_MS_DEFAULT;
    private String partitionAssignmentStrategy = PARTITION_ASSIGNMENT_STRATEGY_DEFAULT;
    private boolean broadcast = BROADCAST_DEFAULT;
    private final TransportConfig transport = ConfigSupport.clientTransport();
    private MeterRegistry meterRegistry;

    /**
     * A config with the {@code sluice.consumer.*} keys of {@code source} (a YAML file, system properties, overrides) and
     * its {@code sluice.transport.*} keys; absent keys keep their defaults. An unknown {@code sluice.consumer.*} key or
     * a value that does not parse is {@code INVALID_CONFIG}. Call {@link #conclude()} (the client does).
     */
    public static ConsumerConfig from(ConfigSource source) {
        ConsumerConfig c = new ConsumerConfig();
        ConfigSupport.applyAll(source, "sluice.consumer.", c.transport, c::set);
        return c;
    }

    private boolean set(String key, ConfigSource s) {
        switch (key) {
            case CLIENT_ID -> clientId(s.getString(key, clientId));
            case NAMESERVERS -> nameservers(s.getString(key, nameservers));
            case FETCH_MAX_BYTES -> fetchMaxBytes(s.getInt(key, fetchMaxBytes));
            case MAX_PARTITION_FETCH_BYTES -> maxPartitionFetchBytes(s.getInt(key, maxPartitionFetchBytes));
            case FETCH_MAX_WAIT_MS -> fetchMaxWaitMs(s.getInt(key, fetchMaxWaitMs));
            case FETCH_MIN_BYTES -> fetchMinBytes(s.getInt(key, fetchMinBytes));
            case MAX_POLL_RECORDS -> maxPollRecords(s.getInt(key, maxPollRecords));
            case AUTO_OFFSET_RESET -> autoOffsetReset(parseReset(s.getString(key, null)));
            case REQUEST_TIMEOUT_MS -> requestTimeoutMs(s.getLong(key, requestTimeoutMs));
            case DEFAULT_API_TIMEOUT_MS -> defaultApiTimeoutMs(s.getLong(key, defaultApiTimeoutMs));
            case RETRY_BACKOFF_MS -> retryBackoffMs(s.getLong(key, retryBackoffMs));
            case RETRY_BACKOFF_MAX_MS -> retryBackoffMaxMs(s.getLong(key, retryBackoffMaxMs));
            case METADATA_MAX_AGE_MS -> metadataMaxAgeMs(s.getLong(key, metadataMaxAgeMs));
            case CHECK_CRCS -> checkCrcs(s.getBoolean(key, checkCrcs));
            case GROUP_ID -> groupId(s.getString(key, groupId));
            case GROUP_INSTANCE_ID -> groupInstanceId(s.getString(key, groupInstanceId));
            case SESSION_TIMEOUT_MS -> sessionTimeoutMs(s.getInt(key, sessionTimeoutMs));
            case HEARTBEAT_INTERVAL_MS -> heartbeatIntervalMs(s.getInt(key, heartbeatIntervalMs));
            case MAX_POLL_INTERVAL_MS -> maxPollIntervalMs(s.getInt(key, maxPollIntervalMs));
            case ENABLE_AUTO_COMMIT -> enableAutoCommit(s.getBoolean(key, enableAutoCommit));
            case AUTO_COMMIT_INTERVAL_MS -> autoCommitIntervalMs(s.getLong(key, autoCommitIntervalMs));
            case PARTITION_ASSIGNMENT_STRATEGY -> partitionAssignmentStrategy(s.getString(key,
                    partitionAssignmentStrategy));
            case BROADCAST -> broadcast(s.getBoolean(key, broadcast));
            default -> {
                return false;
            }
        }
        return true;
    }

    private static AutoOffsetReset parseReset(String v) {
        try {
            return AutoOffsetReset.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ConfigSupport.invalid(AUTO_OFFSET_RESET, v, "earliest, latest or none");
        }
    }

    /** Name used for threads, logs and metric tags; null picks {@code consumer-N}. */
    public String clientId() {
        return clientId;
    }

    public ConsumerConfig clientId(String value) {
        this.clientId = value;
        return this;
    }

    /** Nameserver addresses, {@code host:port,host:port}; the consumer tries the next one when one fails. */
    public String nameservers() {
        return nameservers;
    }

    public ConsumerConfig nameservers(String value) {
        this.nameservers = value;
        return this;
    }

    /**
     * Upper bound on the bytes one fetch returns across all the partitions it asks one broker for (the first
     * partition with data still returns a whole batch if it is larger, so a consumer always makes progress).
     */
    public int fetchMaxBytes() {
        return fetchMaxBytes;
    }

    public ConsumerConfig fetchMaxBytes(int value) {
        this.fetchMaxBytes = value;
        return this;
    }

    /** Upper bound on the bytes one fetch returns for one partition (a larger first batch still comes whole). */
    public int maxPartitionFetchBytes() {
        return maxPartitionFetchBytes;
    }

    public ConsumerConfig maxPartitionFetchBytes(int value) {
        this.maxPartitionFetchBytes = value;
        return this;
    }

    /** How long the broker may park a fetch while fewer than {@code fetch.min.bytes} are available. */
    public int fetchMaxWaitMs() {
        return fetchMaxWaitMs;
    }

    public ConsumerConfig fetchMaxWaitMs(int value) {
        this.fetchMaxWaitMs = value;
        return this;
    }

    /** Bytes a fetch waits for (up to {@code fetch.max.wait.ms}) before the broker answers. */
    public int fetchMinBytes() {
        return fetchMinBytes;
    }

    public ConsumerConfig fetchMinBytes(int value) {
        this.fetchMinBytes = value;
        return this;
    }

    /** Most records one {@code poll} returns. */
    public int maxPollRecords() {
        return maxPollRecords;
    }

    public ConsumerConfig maxPollRecords(int value) {
        this.maxPollRecords = value;
        return this;
    }

    /**
     * Where to start without a position (no committed offset, no seek), or after {@code OFFSET_OUT_OF_RANGE}: LATEST
     * by default, as Kafka's consumer, so a new consumer reads what is produced from now on; EARLIEST reads the topic
     * from its oldest record; NONE fails with OFFSET_OUT_OF_RANGE and leaves the choice to the application.
     */
    public AutoOffsetReset autoOffsetReset() {
        return autoOffsetReset;
    }

    public ConsumerConfig autoOffsetReset(AutoOffsetReset value) {
        this.autoOffsetReset = value;
        return this;
    }

    /** How long one request may wait for its answer; must exceed {@code fetch.max.wait.ms}. */
    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    public ConsumerConfig requestTimeoutMs(long value) {
        this.requestTimeoutMs = value;
        return this;
    }

    /** How long blocking calls ({@code position}, {@code offsetsForTimes}, {@code partitionsFor}) may take. */
    public long defaultApiTimeoutMs() {
        return defaultApiTimeoutMs;
    }

    public ConsumerConfig defaultApiTimeoutMs(long value) {
        this.defaultApiTimeoutMs = value;
        return this;
    }

    /** First pause before retrying a failed fetch; it doubles up to {@code retry.backoff.max.ms}. */
    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    public ConsumerConfig retryBackoffMs(long value) {
        this.retryBackoffMs = value;
        return this;
    }

    public long retryBackoffMaxMs() {
        return retryBackoffMaxMs;
    }

    public ConsumerConfig retryBackoffMaxMs(long value) {
        this.retryBackoffMaxMs = value;
        return this;
    }

    /** Routes are fetched again at least this often, even without errors. */
    public long metadataMaxAgeMs() {
        return metadataMaxAgeMs;
    }

    public ConsumerConfig metadataMaxAgeMs(long value) {
        this.metadataMaxAgeMs = value;
        return this;
    }

    /** Whether every fetched batch's CRC-32C is verified (cheap; on by default). */
    public boolean checkCrcs() {
        return checkCrcs;
    }

    public ConsumerConfig checkCrcs(boolean value) {
        this.checkCrcs = value;
        return this;
    }

    /**
     * The consumer group this consumer belongs to; needed for {@code subscribe} and for committing offsets. Null
     * (the default) for a consumer without a group.
     */
    public String groupId() {
        return groupId;
    }

    public ConsumerConfig groupId(String value) {
        this.groupId = value;
        return this;
    }

    /**
     * Static membership: a stable id of this consumer instance within its group (e.g. the host name), or null. A
     * static member does not leave the group on close; restarted with the same id within
     * {@code session.timeout.ms} it gets its partitions back without a rebalance.
     */
    public String groupInstanceId() {
        return groupInstanceId;
    }

    public ConsumerConfig groupInstanceId(String value) {
        this.groupInstanceId = value;
        return this;
    }

    /** A group member that sends no heartbeat for this long is removed from the group and its partitions move. */
    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public ConsumerConfig sessionTimeoutMs(int value) {
        this.sessionTimeoutMs = value;
        return this;
    }

    /** How often a group member heartbeats (and so how soon it learns of a rebalance); below the session timeout. */
    public int heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public ConsumerConfig heartbeatIntervalMs(int value) {
        this.heartbeatIntervalMs = value;
        return this;
    }

    /**
     * A group member that does not call {@code poll} for this long leaves the group (its partitions move on); it is
     * also how long the coordinator waits for members to re-join in a rebalance.
     */
    public int maxPollIntervalMs() {
        return maxPollIntervalMs;
    }

    public ConsumerConfig maxPollIntervalMs(int value) {
        this.maxPollIntervalMs = value;
        return this;
    }

    /** Commit the positions of a group consumer every {@code auto.commit.interval.ms}, before a rebalance and on close. */
    public boolean enableAutoCommit() {
        return enableAutoCommit;
    }

    public ConsumerConfig enableAutoCommit(boolean value) {
        this.enableAutoCommit = value;
        return this;
    }

    public long autoCommitIntervalMs() {
        return autoCommitIntervalMs;
    }

    public ConsumerConfig autoCommitIntervalMs(long value) {
        this.autoCommitIntervalMs = value;
        return this;
    }

    /**
     * How the group coordinator spreads partitions over members: {@code range}, {@code roundrobin} or
     * {@code cooperative-sticky}, or several separated by commas, most preferred first (the group uses one that all
     * its members support; a member sharing none is refused with {@code INCONSISTENT_GROUP_PROTOCOL}).
     * {@code cooperative-sticky} alone makes rebalances incremental: the consumer keeps reading the partitions it
     * keeps while the group rebalances and revokes only those that move. To switch a running group from range, roll
     * out {@code cooperative-sticky,range} first, then {@code cooperative-sticky}.
     */
    public String partitionAssignmentStrategy() {
        return partitionAssignmentStrategy;
    }

    public ConsumerConfig partitionAssignmentStrategy(String value) {
        this.partitionAssignmentStrategy = value;
        return this;
    }

    /**
     * Broadcast consumption (RocketMQ's broadcasting): every consumer of the group reads every partition of the
     * subscribed topics, without group membership. Each consumer keeps offsets of its own, committed to the group
     * coordinator under the key {@code <group.id>@<group.instance.id>}, so {@code group.instance.id} is required and
     * must stay the same across restarts of that consumer.
     */
    public boolean broadcast() {
        return broadcast;
    }

    public ConsumerConfig broadcast(boolean value) {
        this.broadcast = value;
        return this;
    }

    /** Transport settings (I/O threads, frame size, connect timeout); one I/O thread by default. */
    public TransportConfig transport() {
        return transport;
    }

    /** Where the consumer reports its metrics; null (the default) for none. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    public ConsumerConfig meterRegistry(MeterRegistry value) {
        this.meterRegistry = value;
        return this;
    }

    private static boolean validStrategies(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        for (String s : value.split(",")) {
            String name = s.trim();
            if (!name.equals("range") && !name.equals("roundrobin") && !name.equals("cooperative-sticky")) {
                return false;
            }
        }
        return true;
    }

    /** Validates every value once; throws {@code INVALID_CONFIG} naming the key. Returns this. */
    public ConsumerConfig conclude() {
        ConfigSupport.parseAddresses(NAMESERVERS, nameservers);
        require(fetchMaxBytes >= 1024, FETCH_MAX_BYTES, fetchMaxBytes, "at least 1024");
        require(fetchMaxBytes <= transport.maxFrameBytes() - 1024, FETCH_MAX_BYTES, fetchMaxBytes,
                "at most " + TransportConfig.MAX_FRAME_BYTES + " - 1024 = " + (transport.maxFrameBytes() - 1024));
        require(maxPartitionFetchBytes >= 1024, MAX_PARTITION_FETCH_BYTES, maxPartitionFetchBytes, "at least 1024");
        require(fetchMaxWaitMs >= 0, FETCH_MAX_WAIT_MS, fetchMaxWaitMs, "at least 0");
        require(fetchMinBytes >= 0 && fetchMinBytes <= fetchMaxBytes, FETCH_MIN_BYTES, fetchMinBytes,
                "between 0 and " + FETCH_MAX_BYTES + " (" + fetchMaxBytes + ")");
        require(maxPollRecords >= 1, MAX_POLL_RECORDS, maxPollRecords, "at least 1");
        require(autoOffsetReset != null, AUTO_OFFSET_RESET, null, "earliest, latest or none");
        require(requestTimeoutMs > fetchMaxWaitMs, REQUEST_TIMEOUT_MS, requestTimeoutMs,
                "larger than " + FETCH_MAX_WAIT_MS + " (" + fetchMaxWaitMs + ")");
        require(defaultApiTimeoutMs >= 1, DEFAULT_API_TIMEOUT_MS, defaultApiTimeoutMs, "at least 1");
        require(retryBackoffMs >= 1, RETRY_BACKOFF_MS, retryBackoffMs, "at least 1");
        require(retryBackoffMaxMs >= retryBackoffMs, RETRY_BACKOFF_MAX_MS, retryBackoffMaxMs,
                "at least " + RETRY_BACKOFF_MS + " (" + retryBackoffMs + ")");
        require(metadataMaxAgeMs >= 100, METADATA_MAX_AGE_MS, metadataMaxAgeMs, "at least 100");
        require(groupId == null || !groupId.isEmpty() && groupId.length() <= 255, GROUP_ID, groupId,
                "1 to 255 characters, or unset");
        require(groupInstanceId == null || !groupInstanceId.isEmpty() && groupInstanceId.length() <= 255,
                GROUP_INSTANCE_ID, groupInstanceId, "1 to 255 characters, or unset");
        require(sessionTimeoutMs >= 100, SESSION_TIMEOUT_MS, sessionTimeoutMs, "at least 100");
        require(heartbeatIntervalMs >= 10 && heartbeatIntervalMs < sessionTimeoutMs, HEARTBEAT_INTERVAL_MS,
                heartbeatIntervalMs, "at least 10 and below " + SESSION_TIMEOUT_MS + " (" + sessionTimeoutMs + ")");
        require(maxPollIntervalMs >= 100, MAX_POLL_INTERVAL_MS, maxPollIntervalMs, "at least 100");
        require(autoCommitIntervalMs >= 1, AUTO_COMMIT_INTERVAL_MS, autoCommitIntervalMs, "at least 1");
        require(validStrategies(partitionAssignmentStrategy), PARTITION_ASSIGNMENT_STRATEGY,
                partitionAssignmentStrategy, "range, roundrobin or cooperative-sticky, or a comma-separated list of them");
        require(!broadcast || groupId != null && groupInstanceId != null, BROADCAST, broadcast,
                "false unless " + GROUP_ID + " and " + GROUP_INSTANCE_ID + " are set (broadcast offsets are kept per"
                        + " instance)");
        require(!broadcast || groupId.length() + groupInstanceId.length() < 255, BROADCAST, broadcast,
                "false unless " + GROUP_ID + " and " + GROUP_INSTANCE_ID + " have fewer than 255 characters together");
        transport.conclude();
        return this;
    }
}
