package io.sluice.remoting.transport;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.config.ConfigSource;

/**
 * Limits and timings of the transport, shared by servers and clients. Fluent setters without prefixes;
 * {@link #conclude()} validates once at start-up and names the offending key.
 */
public final class TransportConfig {
    public static final String MAX_FRAME_BYTES = "sluice.transport.max.frame.bytes";
    public static final int MAX_FRAME_BYTES_DEFAULT = 16 * 1024 * 1024;
    public static final String MAX_IN_FLIGHT = "sluice.transport.max.in.flight.requests";
    public static final int MAX_IN_FLIGHT_DEFAULT = 4096;
    public static final String REQUEST_TIMEOUT_MS = "sluice.transport.request.timeout.ms";
    public static final long REQUEST_TIMEOUT_MS_DEFAULT = 30_000;
    public static final String CONNECT_TIMEOUT_MS = "sluice.transport.connect.timeout.ms";
    public static final int CONNECT_TIMEOUT_MS_DEFAULT = 3_000;
    public static final String HEARTBEAT_INTERVAL_MS = "sluice.transport.heartbeat.interval.ms";
    public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 1_000;
    public static final String HEARTBEAT_MISSES = "sluice.transport.heartbeat.misses";
    public static final int HEARTBEAT_MISSES_DEFAULT = 5;
    public static final String IO_THREADS = "sluice.transport.io.threads";
    public static final int IO_THREADS_DEFAULT = Math.max(2, Runtime.getRuntime().availableProcessors());

    private int maxFrameBytes = MAX_FRAME_BYTES_DEFAULT;
    private int maxInFlight = MAX_IN_FLIGHT_DEFAULT;
    private long requestTimeoutMs = REQUEST_TIMEOUT_MS_DEFAULT;
    private int connectTimeoutMs = CONNECT_TIMEOUT_MS_DEFAULT;
    private long heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS_DEFAULT;
    private int heartbeatMisses = HEARTBEAT_MISSES_DEFAULT;
    private int ioThreads = IO_THREADS_DEFAULT;

    /** A config with every key read from {@code source} (defaults for absent keys); call {@link #conclude()}. */
    public static TransportConfig from(ConfigSource source) {
        return new TransportConfig()
                .maxFrameBytes(source.getInt(MAX_FRAME_BYTES, MAX_FRAME_BYTES_DEFAULT))
                .maxInFlight(source.getInt(MAX_IN_FLIGHT, MAX_IN_FLIGHT_DEFAULT))
                .requestTimeoutMs(source.getLong(REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS_DEFAULT))
                .connectTimeoutMs(source.getInt(CONNECT_TIMEOUT_MS, CONNECT_TIMEOUT_MS_DEFAULT))
                .heartbeatIntervalMs(source.getLong(HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS_DEFAULT))
                .heartbeatMisses(source.getInt(HEARTBEAT_MISSES, HEARTBEAT_MISSES_DEFAULT))
                .ioThreads(source.getInt(IO_THREADS, IO_THREADS_DEFAULT));
    }

    /** Largest frame accepted or sent, header included. A larger incoming frame is refused without allocating it. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public TransportConfig maxFrameBytes(int value) {
        this.maxFrameBytes = value;
        return this;
    }

    /** Requests in flight per connection; past it a client fails fast and a server answers TOO_MANY_IN_FLIGHT. */
    public int maxInFlight() {
        return maxInFlight;
    }

    public TransportConfig maxInFlight(int value) {
        this.maxInFlight = value;
        return this;
    }

    /** Default request timeout of a client. */
    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    public TransportConfig requestTimeoutMs(long value) {
        this.requestTimeoutMs = value;
        return this;
    }

    public int connectTimeoutMs() {
        return connectTimeoutMs;
    }

    public TransportConfig connectTimeoutMs(int value) {
        this.connectTimeoutMs = value;
        return this;
    }

    /** A client pings a connection idle for this long; a peer silent for {@code misses} intervals is dead. */
    public long heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public TransportConfig heartbeatIntervalMs(long value) {
        this.heartbeatIntervalMs = value;
        return this;
    }

    public int heartbeatMisses() {
        return heartbeatMisses;
    }

    public TransportConfig heartbeatMisses(int value) {
        this.heartbeatMisses = value;
        return this;
    }

    public int ioThreads() {
        return ioThreads;
    }

    public TransportConfig ioThreads(int value) {
        this.ioThreads = value;
        return this;
    }

    /** Validates every value once; throws INVALID_CONFIG naming the key. */
    public TransportConfig conclude() {
        require(maxFrameBytes >= 1024, MAX_FRAME_BYTES, maxFrameBytes, "at least 1024");
        require(maxInFlight >= 1, MAX_IN_FLIGHT, maxInFlight, "at least 1");
        require(requestTimeoutMs >= 1, REQUEST_TIMEOUT_MS, requestTimeoutMs, "at least 1");
        require(connectTimeoutMs >= 1, CONNECT_TIMEOUT_MS, connectTimeoutMs, "at least 1");
        require(heartbeatIntervalMs >= 10, HEARTBEAT_INTERVAL_MS, heartbeatIntervalMs, "at least 10");
        require(heartbeatMisses >= 1, HEARTBEAT_MISSES, heartbeatMisses, "at least 1");
        require(ioThreads >= 1, IO_THREADS, ioThreads, "at least 1");
        return this;
    }

    static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is invalid: must be " + rule);
        }
    }

    @Override
    public String toString() {
        return "TransportConfig{maxFrameBytes=" + maxFrameBytes + ", maxInFlight=" + maxInFlight
                + ", requestTimeoutMs=" + requestTimeoutMs + ", connectTimeoutMs=" + connectTimeoutMs
                + ", heartbeatIntervalMs=" + heartbeatIntervalMs + ", heartbeatMisses=" + heartbeatMisses
                + ", ioThreads=" + ioThreads + "}";
    }
}
