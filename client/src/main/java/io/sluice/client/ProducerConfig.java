package io.sluice.client;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.client.internals.ConfigSupport;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.config.ConfigSource;
import io.sluice.remoting.transport.TransportConfig;


import static io.sluice.client.internals.ConfigSupport.require;

/**
 * Settings of a {@link Producer}: named keys beside their defaults, fluent accessors without prefixes (the
 * no-argument form reads, the one-argument form sets and returns {@code this}), and {@link #conclude()} which
 * validates everything once and throws {@code INVALID_CONFIG} naming the key and value. Not thread-safe; do not
 * change a config after handing it to a producer.
 *
 * <p>Requests: the producer sends one PRODUCE request per leader broker carrying the ready batches of many
 * partitions (up to {@code max.request.size} bytes), with up to {@code max.in.flight.requests.per.connection}
 * requests unanswered per broker.
 *
 * <p>Ordering: with {@code max.in.flight.requests.per.partition=1} (the default) a partition with a batch in flight
 * sends no other until that one is answered, so records of one partition are stored in the order they were sent,
 * retries included. With more in flight the producer sends the next batches of a partition before the previous ones
 * are acknowledged, which raises throughput on slow links, but a batch that fails and is retried may then land after
 * batches sent later.
 */
public final class ProducerConfig {
    public static final String CLIENT_ID = "sluice.producer.client.id";
    public static final String NAMESERVERS = "sluice.producer.nameservers";
    public static final String NAMESERVERS_DEFAULT = "127.0.0.1:9876";
    public static final String ACKS = "sluice.producer.acks";
    public static final int ACKS_DEFAULT = 1;
    public static final String LINGER_MS = "sluice.producer.linger.ms";
    public static final long LINGER_MS_DEFAULT = 5;
    public static final String BATCH_SIZE = "sluice.producer.batch.size";
    public static final int BATCH_SIZE_DEFAULT = 64 * 1024;
    public static final String BUFFER_MEMORY = "sluice.producer.buffer.memory";
    public static final long BUFFER_MEMORY_DEFAULT = 64L * 1024 * 1024;
    public static final String MAX_BLOCK_MS = "sluice.producer.max.block.ms";
    public static final long MAX_BLOCK_MS_DEFAULT = 60_000;
    public static final String RETRIES = "sluice.producer.retries";
    public static final int RETRIES_DEFAULT = Integer.MAX_VALUE;
    public static final String RETRY_BACKOFF_MS = "sluice.producer.retry.backoff.ms";
    public static final long RETRY_BACKOFF_MS_DEFAULT = 100;
    public static final String RETRY_BACKOFF_MAX_MS = "sluice.producer.retry.backoff.max.ms";
    public static final long RETRY_BACKOFF_MAX_MS_DEFAULT = 1_000;
    public static final String REQUEST_TIMEOUT_MS = "sluice.producer.request.timeout.ms";
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 30_000;
    public static final String DELIVERY_TIMEOUT_MS = "sluice.producer.delivery.timeout.ms";
    public static final long DELIVERY_TIMEOUT_MS_DEFAULT = 120_000;
    public static final String MAX_IN_FLIGHT = "sluice.producer.max.in.flight.requests.per.partition";
    public static final int MAX_IN_FLIGHT_DEFAULT = 1;
    public static final int MAX_IN_FLIGHT_LIMIT = 5;
    public static final String MAX_IN_FLIGHT_PER_CONNECTION = "sluice.producer.max.in.flight.requests.per.connection";
    public static final int MAX_IN_FLIGHT_PER_CONNECTION_DEFAULT = 5;
    public static final int MAX_IN_FLIGHT_PER_CONNECTION_LIMIT = 100;
    public static final String MAX_REQUEST_SIZE = "sluice.producer.max.request.size";
    public static final int MAX_REQUEST_SIZE_DEFAULT = 1024 * 1024;
    public static final String PARTITIONER = "sluice.producer.partitioner";
    public static final String PARTITIONER_DEFAULT = "hash";
    public static final String METADATA_MAX_AGE_MS = "sluice.producer.metadata.max.age.ms";
    public static final long METADATA_MAX_AGE_MS_DEFAULT = 300_000;

    private String clientId;
    private String nameservers = NAMESERVERS_DEFAULT;
    private int acks = ACKS_DEFAULT;
    private long lingerMs = LINGER_MS_DEFAULT;
    private int batchSize = BATCH_SIZE_DEFAULT;
    private long bufferMemory = BUFFER_MEMORY_DEFAULT;
    private long maxBlockMs = MAX_BLOCK_MS_DEFAULT;
    private int retries = RETRIES_DEFAULT;
    private long retryBackoffMs = RETRY_BACKOFF_MS_DEFAULT;
    private long retryBackoffMaxMs = RETRY_BACKOFF_MAX_MS_DEFAULT;
    private long requestTimeoutMs = REQUEST_TIMEOUT_MS_DEFAULT;
    private long deliveryTimeoutMs = DELIVERY_TIMEOUT_MS_DEFAULT;
    private int maxInFlight = MAX_IN_FLIGHT_DEFAULT;
    private int maxInFlightPerConnection = MAX_IN_FLIGHT_PER_CONNECTION_DEFAULT;
    private int maxRequestSize = MAX_REQUEST_SIZE_DEFAULT;
    private String partitionerName = PARTITIONER_DEFAULT;
    private Partitioner partitioner;
    private long metadataMaxAgeMs = METADATA_MAX_AGE_MS_DEFAULT;
    private final TransportConfig transport = ConfigSupport.clientTransport();
    private MeterRegistry meterRegistry;

    /**
     * A config with the {@code sluice.producer.*} keys of {@code source} (a YAML file, system properties, overrides) and
     * its {@code sluice.transport.*} keys; absent keys keep their defaults. An unknown {@code sluice.producer.*} key or
     * a value that does not parse is {@code INVALID_CONFIG}. Call {@link #conclude()} (the client does).
     */
    public static ProducerConfig from(ConfigSource source) {
        ProducerConfig c = new ProducerConfig();
        ConfigSupport.applyAll(source, "sluice.producer.", c.transport, c::set);
        return c;
    }

    private boolean set(String key, ConfigSource s) {
        switch (key) {
            case CLIENT_ID -> clientId(s.getString(key, clientId));
            case NAMESERVERS -> nameservers(s.getString(key, nameservers));
            case ACKS -> acks(s.getString(key, null));
            case LINGER_MS -> lingerMs(s.getLong(key, lingerMs));
            case BATCH_SIZE -> batchSize(s.getInt(key, batchSize));
            case BUFFER_MEMORY -> bufferMemory(s.getLong(key, bufferMemory));
            case MAX_BLOCK_MS -> maxBlockMs(s.getLong(key, maxBlockMs));
            case RETRIES -> retries(s.getInt(key, retries));
            case RETRY_BACKOFF_MS -> retryBackoffMs(s.getLong(key, retryBackoffMs));
            case RETRY_BACKOFF_MAX_MS -> retryBackoffMaxMs(s.getLong(key, retryBackoffMaxMs));
            case REQUEST_TIMEOUT_MS -> requestTimeoutMs(s.getLong(key, requestTimeoutMs));
            case DELIVERY_TIMEOUT_MS -> deliveryTimeoutMs(s.getLong(key, deliveryTimeoutMs));
            case MAX_IN_FLIGHT -> maxInFlightPerPartition(s.getInt(key, maxInFlight));
            case MAX_IN_FLIGHT_PER_CONNECTION -> maxInFlightPerConnection(s.getInt(key, maxInFlightPerConnection));
            case MAX_REQUEST_SIZE -> maxRequestSize(s.getInt(key, maxRequestSize));
            case PARTITIONER -> partitioner(s.getString(key, partitionerName));
            case METADATA_MAX_AGE_MS -> metadataMaxAgeMs(s.getLong(key, metadataMaxAgeMs));
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Name used for threads, logs and metric tags; null picks {@code producer-N}. */
    public String clientId() {
        return clientId;
    }

    public ProducerConfig clientId(String value) {
        this.clientId = value;
        return this;
    }

    /** Nameserver addresses, {@code host:port,host:port}; the producer tries the next one when one fails. */
    public String nameservers() {
        return nameservers;
    }

    public ProducerConfig nameservers(String value) {
        this.nameservers = value;
        return this;
    }

    /** 0: do not wait for any answer (offsets are -1); 1: the leader appended; -1: every in-sync replica has it. */
    public int acks() {
        return acks;
    }

    public ProducerConfig acks(int value) {
        this.acks = value;
        return this;
    }

    /** Sets acks from {@code "0"}, {@code "1"}, {@code "-1"} or {@code "all"}. */
    public ProducerConfig acks(String value) {
        if (value != null && value.trim().equalsIgnoreCase("all")) {
            return acks(-1);
        }
        try {
            return acks(Integer.parseInt(value == null ? "" : value.trim()));
        } catch (NumberFormatException e) {
            throw ConfigSupport.invalid(ACKS, value, "0, 1, -1 or all");
        }
    }

    /** How long a batch waits for more records before it is sent even if not full. */
    public long lingerMs() {
        return lingerMs;
    }

    public ProducerConfig lingerMs(long value) {
        this.lingerMs = value;
        return this;
    }

    /** Bytes of one batch (one produce request per partition); a larger record gets a batch of its own. */
    public int batchSize() {
        return batchSize;
    }

    public ProducerConfig batchSize(int value) {
        this.batchSize = value;
        return this;
    }

    /** Bytes all unsent and unacknowledged batches may take together. */
    public long bufferMemory() {
        return bufferMemory;
    }

    public ProducerConfig bufferMemory(long value) {
        this.bufferMemory = value;
        return this;
    }

    /**
     * How long {@code send} and {@code partitionsFor} may block for buffer space or routes before failing with
     * {@code BUFFER_EXHAUSTED} or {@code UNKNOWN_TOPIC}. 0 makes {@code send} non-blocking: it fails at once when the
     * buffer is full or the topic's routes are not known yet.
     */
    public long maxBlockMs() {
        return maxBlockMs;
    }

    public ProducerConfig maxBlockMs(long value) {
        this.maxBlockMs = value;
        return this;
    }

    /** How often a batch is re-sent after a retriable error; {@code delivery.timeout.ms} bounds it in time. */
    public int retries() {
        return retries;
    }

    public ProducerConfig retries(int value) {
        this.retries = value;
        return this;
    }

    /** First pause before a retry; it doubles per attempt up to {@code retry.backoff.max.ms}. */
    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    public ProducerConfig retryBackoffMs(long value) {
        this.retryBackoffMs = value;
        return this;
    }

    public long retryBackoffMaxMs() {
        return retryBackoffMaxMs;
    }

    public ProducerConfig retryBackoffMaxMs(long value) {
        this.retryBackoffMaxMs = value;
        return this;
    }

    /** How long one produce request may wait for its answer. */
    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    public ProducerConfig requestTimeoutMs(long value) {
        this.requestTimeoutMs = value;
        return this;
    }

    /**
     * Upper bound on the time from {@code send} returning to the record's future completing, retries included;
     * past it the record fails with {@code REQUEST_TIMED_OUT}. At least {@code linger.ms + request.timeout.ms}.
     */
    public long deliveryTimeoutMs() {
        return deliveryTimeoutMs;
    }

    public ProducerConfig deliveryTimeoutMs(long value) {
        this.deliveryTimeoutMs = value;
        return this;
    }

    /** Unacknowledged produce requests per partition, 1 to 5; see the class comment on ordering. */
    public int maxInFlightPerPartition() {
        return maxInFlight;
    }

    public ProducerConfig maxInFlightPerPartition(int value) {
        this.maxInFlight = value;
        return this;
    }

    /**
     * Unanswered produce requests per broker connection, 1 to 100; each carries batches of many partitions, so this
     * bounds the producer's outstanding work per broker rather than per partition.
     */
    public int maxInFlightPerConnection() {
        return maxInFlightPerConnection;
    }

    public ProducerConfig maxInFlightPerConnection(int value) {
        this.maxInFlightPerConnection = value;
        return this;
    }

    /**
     * Largest produce request: the batches (and their entries) of one request to a broker add up to at most this,
     * and no batch is larger; a single record larger than this fails with {@code RECORD_TOO_LARGE}.
     */
    public int maxRequestSize() {
        return maxRequestSize;
    }

    public ProducerConfig maxRequestSize(int value) {
        this.maxRequestSize = value;
        return this;
    }

    /** The partitioner in use: the one set, else the one named by {@code partitioner} ("hash", "round-robin"). */
    public Partitioner partitioner() {
        if (partitioner != null) {
            return partitioner;
        }
        return switch (partitionerName) {
            case "hash" -> Partitioner.hashing();
            case "round-robin" -> Partitioner.roundRobin();
            default -> instantiate(partitionerName);
        };
    }

    public ProducerConfig partitioner(Partitioner value) {
        this.partitioner = value;
        return this;
    }

    /** Names the partitioner: {@code hash} (default), {@code round-robin}, or a class with a no-arg constructor. */
    public ProducerConfig partitioner(String name) {
        this.partitionerName = name;
        this.partitioner = null;
        return this;
    }

    private static Partitioner instantiate(String className) {
        try {
            Object p = Class.forName(className).getDeclaredConstructor().newInstance();
            if (p instanceof Partitioner partitioner) {
                return partitioner;
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, PARTITIONER + "=" + className
                    + " is invalid: must be hash, round-robin or a Partitioner class with a no-arg constructor", e);
        }
        throw ConfigSupport.invalid(PARTITIONER, className, "hash, round-robin or a class implementing Partitioner");
    }

    /** Routes are fetched again at least this often, even without errors. */
    public long metadataMaxAgeMs() {
        return metadataMaxAgeMs;
    }

    public ProducerConfig metadataMaxAgeMs(long value) {
        this.metadataMaxAgeMs = value;
        return this;
    }

    /** Transport settings (I/O threads, frame size, connect timeout); one I/O thread by default. */
    public TransportConfig transport() {
        return transport;
    }

    /** Where the producer reports its metrics; null (the default) for none. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    public ProducerConfig meterRegistry(MeterRegistry value) {
        this.meterRegistry = value;
        return this;
    }

    /** Validates every value once; throws {@code INVALID_CONFIG} naming the key. Returns this. */
    public ProducerConfig conclude() {
        ConfigSupport.parseAddresses(NAMESERVERS, nameservers);
        require(acks == 0 || acks == 1 || acks == -1, ACKS, acks, "0, 1 or -1 (all)");
        require(lingerMs >= 0 && lingerMs <= 3_600_000, LINGER_MS, lingerMs, "between 0 and 3600000");
        require(batchSize >= 128, BATCH_SIZE, batchSize, "at least 128");
        require(maxRequestSize >= 1024, MAX_REQUEST_SIZE, maxRequestSize, "at least 1024");
        require(maxRequestSize <= transport.maxFrameBytes() - 1024, MAX_REQUEST_SIZE, maxRequestSize,
                "at most " + TransportConfig.MAX_FRAME_BYTES + " - 1024 = " + (transport.maxFrameBytes() - 1024));
        require(bufferMemory >= Math.max(batchSize, maxRequestSize), BUFFER_MEMORY, bufferMemory,
                "at least " + BATCH_SIZE + " and " + MAX_REQUEST_SIZE);
        require(maxBlockMs >= 0, MAX_BLOCK_MS, maxBlockMs, "at least 0");
        require(retries >= 0, RETRIES, retries, "at least 0");
        require(retryBackoffMs >= 1, RETRY_BACKOFF_MS, retryBackoffMs, "at least 1");
        require(retryBackoffMaxMs >= retryBackoffMs, RETRY_BACKOFF_MAX_MS, retryBackoffMaxMs,
                "at least " + RETRY_BACKOFF_MS + " (" + retryBackoffMs + ")");
        require(requestTimeoutMs >= 1, REQUEST_TIMEOUT_MS, requestTimeoutMs, "at least 1");
        require(deliveryTimeoutMs >= lingerMs + requestTimeoutMs, DELIVERY_TIMEOUT_MS, deliveryTimeoutMs,
                "at least " + LINGER_MS + " + " + REQUEST_TIMEOUT_MS + " (" + (lingerMs + requestTimeoutMs) + ")");
        require(maxInFlight >= 1 && maxInFlight <= MAX_IN_FLIGHT_LIMIT, MAX_IN_FLIGHT, maxInFlight,
                "between 1 and " + MAX_IN_FLIGHT_LIMIT);
        require(maxInFlightPerConnection >= 1 && maxInFlightPerConnection <= MAX_IN_FLIGHT_PER_CONNECTION_LIMIT,
                MAX_IN_FLIGHT_PER_CONNECTION, maxInFlightPerConnection,
                "between 1 and " + MAX_IN_FLIGHT_PER_CONNECTION_LIMIT);
        require(metadataMaxAgeMs >= 100, METADATA_MAX_AGE_MS, metadataMaxAgeMs, "at least 100");
        require(partitioner != null || partitionerName != null, PARTITIONER, null, "a partitioner");
        partitioner();
        transport.conclude();
        return this;
    }
}
