package io.sluice.remoting.transport;

import io.netty.util.internal.PlatformDependent;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.config.ConfigSource;

import java.util.Locale;

/**
 * Limits and timings of the transport, shared by servers and clients. Fluent setters without prefixes;
 * {@link #conclude()} validates once at start-up and names the offending key.
 *
 * <p>Liveness (see {@link HeartbeatHandler}): a client pings a connection it has heard nothing from for
 * {@link #heartbeatIntervalMs()}; it gives up on a peer whose silence its {@link #livenessDetector()} finds too long
 * ({@link #livenessTimeoutMs()}, or a phi accrual verdict), closing the connection at once if it awaits no answers on
 * it, else retiring it until they came or timed out. A server closes a connection only while it owes no answers on it
 * and has heard nothing for {@link #connectionsMaxIdleMs()}.
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
    /** No longer read: refused with a message pointing to {@link #LIVENESS_TIMEOUT_MS}. */
    static final String REMOVED_HEARTBEAT_MISSES = "sluice.transport.heartbeat.misses";
    public static final String LIVENESS_DETECTOR = "sluice.transport.liveness.detector";
    public static final Detector LIVENESS_DETECTOR_DEFAULT = Detector.TIMEOUT;
    public static final String LIVENESS_TIMEOUT_MS = "sluice.transport.liveness.timeout.ms";
    public static final long LIVENESS_TIMEOUT_MS_DEFAULT = 30_000;
    public static final String PHI_THRESHOLD = "sluice.transport.liveness.phi.threshold";
    public static final double PHI_THRESHOLD_DEFAULT = 8.0;
    public static final String PHI_ACCEPTABLE_PAUSE_MS = "sluice.transport.liveness.phi.acceptable.pause.ms";
    public static final long PHI_ACCEPTABLE_PAUSE_MS_DEFAULT = 3_000;
    public static final String PHI_MIN_STD_DEVIATION_MS = "sluice.transport.liveness.phi.min.std.deviation.ms";
    public static final long PHI_MIN_STD_DEVIATION_MS_DEFAULT = 200;
    public static final String CONNECTIONS_MAX_IDLE_MS = "sluice.transport.connections.max.idle.ms";
    public static final long CONNECTIONS_MAX_IDLE_MS_DEFAULT = 600_000;
    public static final String IO_THREADS = "sluice.transport.io.threads";
    public static final int IO_THREADS_DEFAULT = Math.max(2, Runtime.getRuntime().availableProcessors());
    public static final String FRAME_MEMORY_BYTES = "sluice.transport.frame.memory.bytes";
    /** An eighth of the process's direct memory limit, within 32 MiB..256 MiB. */
    public static final long FRAME_MEMORY_BYTES_DEFAULT = eighthOfDirectMemory(32L << 20, 256L << 20);
    public static final String FRAME_TIMEOUT_MS = "sluice.transport.frame.timeout.ms";
    public static final long FRAME_TIMEOUT_MS_DEFAULT = 30_000;
    public static final String MAX_FRAMES_PER_TURN = "sluice.transport.max.frames.per.turn";
    public static final int MAX_FRAMES_PER_TURN_DEFAULT = 16;
    public static final String MAX_QUEUED_REQUESTS = "sluice.transport.max.queued.requests";
    public static final int MAX_QUEUED_REQUESTS_DEFAULT = 50_000;
    public static final String MAX_UNWRITTEN_BYTES = "sluice.transport.max.unwritten.bytes";
    /** An eighth of the process's direct memory limit, within 16 MiB..256 MiB. */
    public static final long MAX_UNWRITTEN_BYTES_DEFAULT = eighthOfDirectMemory(16L << 20, 256L << 20);
    public static final String CONNECTION_MAX_UNWRITTEN_BYTES = "sluice.transport.connection.max.unwritten.bytes";
    public static final int CONNECTION_MAX_UNWRITTEN_BYTES_DEFAULT = 1024 * 1024;
    public static final String WRITE_TIMEOUT_MS = "sluice.transport.write.timeout.ms";
    public static final long WRITE_TIMEOUT_MS_DEFAULT = 60_000;

    private int maxFrameBytes = MAX_FRAME_BYTES_DEFAULT;
    private int maxInFlight = MAX_IN_FLIGHT_DEFAULT;
    private long requestTimeoutMs = REQUEST_TIMEOUT_MS_DEFAULT;
    private int connectTimeoutMs = CONNECT_TIMEOUT_MS_DEFAULT;
    private long heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS_DEFAULT;
    private Detector livenessDetector = LIVENESS_DETECTOR_DEFAULT;
    private long livenessTimeoutMs = LIVENESS_TIMEOUT_MS_DEFAULT;
    private double phiThreshold = PHI_THRESHOLD_DEFAULT;
    private long phiAcceptablePauseMs = PHI_ACCEPTABLE_PAUSE_MS_DEFAULT;
    private long phiMinStdDeviationMs = PHI_MIN_STD_DEVIATION_MS_DEFAULT;
    private long connectionsMaxIdleMs = CONNECTIONS_MAX_IDLE_MS_DEFAULT;
    private int ioThreads = IO_THREADS_DEFAULT;
    private long frameMemoryBytes = FRAME_MEMORY_BYTES_DEFAULT;
    private long frameTimeoutMs = FRAME_TIMEOUT_MS_DEFAULT;
    private int maxFramesPerTurn = MAX_FRAMES_PER_TURN_DEFAULT;
    private int maxQueuedRequests = MAX_QUEUED_REQUESTS_DEFAULT;
    private long maxUnwrittenBytes = MAX_UNWRITTEN_BYTES_DEFAULT;
    private int connectionMaxUnwrittenBytes = CONNECTION_MAX_UNWRITTEN_BYTES_DEFAULT;
    private long writeTimeoutMs = WRITE_TIMEOUT_MS_DEFAULT;

    /** A config with every key read from {@code source} (defaults for absent keys); call {@link #conclude()}. */
    public static TransportConfig from(ConfigSource source) {
        return new TransportConfig()
                .maxFrameBytes(source.getInt(MAX_FRAME_BYTES, MAX_FRAME_BYTES_DEFAULT))
                .maxInFlight(source.getInt(MAX_IN_FLIGHT, MAX_IN_FLIGHT_DEFAULT))
                .requestTimeoutMs(source.getLong(REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS_DEFAULT))
                .connectTimeoutMs(source.getInt(CONNECT_TIMEOUT_MS, CONNECT_TIMEOUT_MS_DEFAULT))
                .heartbeatIntervalMs(source.getLong(HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS_DEFAULT))
                .ioThreads(source.getInt(IO_THREADS, IO_THREADS_DEFAULT))
                .frameMemoryBytes(source.getLong(FRAME_MEMORY_BYTES, FRAME_MEMORY_BYTES_DEFAULT))
                .frameTimeoutMs(source.getLong(FRAME_TIMEOUT_MS, FRAME_TIMEOUT_MS_DEFAULT))
                .maxFramesPerTurn(source.getInt(MAX_FRAMES_PER_TURN, MAX_FRAMES_PER_TURN_DEFAULT))
                .maxQueuedRequests(source.getInt(MAX_QUEUED_REQUESTS, MAX_QUEUED_REQUESTS_DEFAULT))
                .maxUnwrittenBytes(source.getLong(MAX_UNWRITTEN_BYTES, MAX_UNWRITTEN_BYTES_DEFAULT))
                .connectionMaxUnwrittenBytes(source.getInt(CONNECTION_MAX_UNWRITTEN_BYTES,
                        CONNECTION_MAX_UNWRITTEN_BYTES_DEFAULT))
                .writeTimeoutMs(source.getLong(WRITE_TIMEOUT_MS, WRITE_TIMEOUT_MS_DEFAULT))
                .livenessFrom(source);
    }

    /**
     * Applies the liveness keys present in {@code source} (absent ones keep their current values). Refuses the
     * removed {@code sluice.transport.heartbeat.misses} with INVALID_CONFIG rather than ignoring it.
     */
    public TransportConfig livenessFrom(ConfigSource source) {
        if (source.contains(REMOVED_HEARTBEAT_MISSES)) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, REMOVED_HEARTBEAT_MISSES + " (from "
                    + source.origin(REMOVED_HEARTBEAT_MISSES) + ") is no longer used: a client gives up on a silent "
                    + "connection after " + LIVENESS_TIMEOUT_MS + " (default " + LIVENESS_TIMEOUT_MS_DEFAULT
                    + " ms) and a server on an idle one after " + CONNECTIONS_MAX_IDLE_MS + "; remove the key");
        }
        if (source.contains(LIVENESS_DETECTOR)) {
            livenessDetector(Detector.parse(source.getString(LIVENESS_DETECTOR, null)));
        }
        return livenessTimeoutMs(source.getLong(LIVENESS_TIMEOUT_MS, livenessTimeoutMs))
                .phiThreshold(source.getDouble(PHI_THRESHOLD, phiThreshold))
                .phiAcceptablePauseMs(source.getLong(PHI_ACCEPTABLE_PAUSE_MS, phiAcceptablePauseMs))
                .phiMinStdDeviationMs(source.getLong(PHI_MIN_STD_DEVIATION_MS, phiMinStdDeviationMs))
                .connectionsMaxIdleMs(source.getLong(CONNECTIONS_MAX_IDLE_MS, connectionsMaxIdleMs));
    }

    private static long eighthOfDirectMemory(long min, long max) {
        return Math.max(min, Math.min(max, PlatformDependent.maxDirectMemory() / 8));
    }

    /** Largest frame accepted or sent, header included. A larger incoming frame is refused without allocating it. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public TransportConfig maxFrameBytes(int value) {
        this.maxFrameBytes = value;
        return this;
    }

    /**
     * Requests in flight per connection: past it a client fails fast (TOO_MANY_IN_FLIGHT); a server stops reading
     * the connection until answers bring it back under three quarters of the limit.
     */
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

    /** A client pings a connection it has heard nothing from for this long; liveness is checked this often. */
    public long heartbeatIntervalMs() {
        return heartbeatIntervalMs;
    }

    public TransportConfig heartbeatIntervalMs(long value) {
        this.heartbeatIntervalMs = value;
        return this;
    }

    /** How a client decides that a silent peer, owed nothing, is dead. */
    public Detector livenessDetector() {
        return livenessDetector;
    }

    public TransportConfig livenessDetector(Detector value) {
        this.livenessDetector = value;
        return this;
    }

    /**
     * The {@link Detector#TIMEOUT} detector's limit: a peer a client has heard nothing from (not even an answer to
     * its pings) for this long, while owed no answers, is dead. Like Kafka's {@code request.timeout.ms}.
     */
    public long livenessTimeoutMs() {
        return livenessTimeoutMs;
    }

    public TransportConfig livenessTimeoutMs(long value) {
        this.livenessTimeoutMs = value;
        return this;
    }

    /** The {@link Detector#PHI} detector declares a peer dead once its suspicion level phi reaches this. */
    public double phiThreshold() {
        return phiThreshold;
    }

    public TransportConfig phiThreshold(double value) {
        this.phiThreshold = value;
        return this;
    }

    /** Added to the mean observed interval by the {@link Detector#PHI} detector: pauses it takes in its stride. */
    public long phiAcceptablePauseMs() {
        return phiAcceptablePauseMs;
    }

    public TransportConfig phiAcceptablePauseMs(long value) {
        this.phiAcceptablePauseMs = value;
        return this;
    }

    /** The least standard deviation the {@link Detector#PHI} detector assumes, however regular arrivals were. */
    public long phiMinStdDeviationMs() {
        return phiMinStdDeviationMs;
    }

    public TransportConfig phiMinStdDeviationMs(long value) {
        this.phiMinStdDeviationMs = value;
        return this;
    }

    /**
     * A server closes a connection it owes no answers on and has heard nothing from for this long (live clients
     * ping every heartbeat interval). Like Kafka's {@code connections.max.idle.ms}.
     */
    public long connectionsMaxIdleMs() {
        return connectionsMaxIdleMs;
    }

    public TransportConfig connectionsMaxIdleMs(long value) {
        this.connectionsMaxIdleMs = value;
        return this;
    }

    public int ioThreads() {
        return ioThreads;
    }

    public TransportConfig ioThreads(int value) {
        this.ioThreads = value;
        return this;
    }

    /**
     * Server: bytes of frames that arrive in pieces, all connections together. A connection waits (is not read)
     * until the frame it is receiving fits; must hold at least one frame of {@link #maxFrameBytes()}.
     */
    public long frameMemoryBytes() {
        return frameMemoryBytes;
    }

    public TransportConfig frameMemoryBytes(long value) {
        this.frameMemoryBytes = value;
        return this;
    }

    /**
     * Server: a frame must arrive completely within this much time of its first piece (time the server was not
     * reading the connection does not count), else the connection is closed (0: no limit).
     */
    public long frameTimeoutMs() {
        return frameTimeoutMs;
    }

    public TransportConfig frameTimeoutMs(long value) {
        this.frameTimeoutMs = value;
        return this;
    }

    /** Frames one connection hands on before the other connections of its I/O thread get a turn. */
    public int maxFramesPerTurn() {
        return maxFramesPerTurn;
    }

    public TransportConfig maxFramesPerTurn(int value) {
        this.maxFramesPerTurn = value;
        return this;
    }

    /** Server: requests read and not yet answered, all connections together (see {@code ServerBudget}). */
    public int maxQueuedRequests() {
        return maxQueuedRequests;
    }

    public TransportConfig maxQueuedRequests(int value) {
        this.maxQueuedRequests = value;
        return this;
    }

    /** Server: bytes of answers produced and not yet written, all connections together. */
    public long maxUnwrittenBytes() {
        return maxUnwrittenBytes;
    }

    public TransportConfig maxUnwrittenBytes(long value) {
        this.maxUnwrittenBytes = value;
        return this;
    }

    /**
     * Bytes waiting to be written on one connection before it counts as backed up: a server stops reading it
     * until they fall under a quarter of this. Also the high water mark of every connection's outgoing buffer.
     */
    public int connectionMaxUnwrittenBytes() {
        return connectionMaxUnwrittenBytes;
    }

    public TransportConfig connectionMaxUnwrittenBytes(int value) {
        this.connectionMaxUnwrittenBytes = value;
        return this;
    }

    /** Server: a connection whose waiting answers have not moved for this long is closed (0: never). */
    public long writeTimeoutMs() {
        return writeTimeoutMs;
    }

    public TransportConfig writeTimeoutMs(long value) {
        this.writeTimeoutMs = value;
        return this;
    }

    /** Validates every value once; throws INVALID_CONFIG naming the key. */
    public TransportConfig conclude() {
        require(maxFrameBytes >= 1024, MAX_FRAME_BYTES, maxFrameBytes, "at least 1024");
        require(maxInFlight >= 1, MAX_IN_FLIGHT, maxInFlight, "at least 1");
        require(requestTimeoutMs >= 1, REQUEST_TIMEOUT_MS, requestTimeoutMs, "at least 1");
        require(connectTimeoutMs >= 1, CONNECT_TIMEOUT_MS, connectTimeoutMs, "at least 1");
        require(heartbeatIntervalMs >= 10, HEARTBEAT_INTERVAL_MS, heartbeatIntervalMs, "at least 10");
        require(livenessDetector != null, LIVENESS_DETECTOR, null, "one of " + Detector.names());
        require(livenessTimeoutMs > heartbeatIntervalMs, LIVENESS_TIMEOUT_MS, livenessTimeoutMs,
                "more than " + HEARTBEAT_INTERVAL_MS + " (" + heartbeatIntervalMs + "), so a ping can be answered");
        require(phiThreshold > 0 && Double.isFinite(phiThreshold), PHI_THRESHOLD, phiThreshold, "above 0");
        require(phiAcceptablePauseMs >= 0, PHI_ACCEPTABLE_PAUSE_MS, phiAcceptablePauseMs, "at least 0");
        require(phiMinStdDeviationMs >= 1, PHI_MIN_STD_DEVIATION_MS, phiMinStdDeviationMs, "at least 1");
        require(connectionsMaxIdleMs >= heartbeatIntervalMs, CONNECTIONS_MAX_IDLE_MS, connectionsMaxIdleMs,
                "at least " + HEARTBEAT_INTERVAL_MS + " (" + heartbeatIntervalMs + ")");
        require(ioThreads >= 1, IO_THREADS, ioThreads, "at least 1");
        require(frameMemoryBytes >= maxFrameBytes, FRAME_MEMORY_BYTES, frameMemoryBytes,
                "at least " + MAX_FRAME_BYTES + "=" + maxFrameBytes + " (one frame of the largest size must fit)");
        require(frameTimeoutMs >= 0, FRAME_TIMEOUT_MS, frameTimeoutMs, "at least 0 (0: no limit)");
        require(maxFramesPerTurn >= 1, MAX_FRAMES_PER_TURN, maxFramesPerTurn, "at least 1");
        require(maxQueuedRequests >= 1, MAX_QUEUED_REQUESTS, maxQueuedRequests, "at least 1");
        require(connectionMaxUnwrittenBytes >= 4096, CONNECTION_MAX_UNWRITTEN_BYTES, connectionMaxUnwrittenBytes,
                "at least 4096");
        require(maxUnwrittenBytes >= connectionMaxUnwrittenBytes, MAX_UNWRITTEN_BYTES, maxUnwrittenBytes,
                "at least " + CONNECTION_MAX_UNWRITTEN_BYTES + "=" + connectionMaxUnwrittenBytes);
        require(writeTimeoutMs >= 0, WRITE_TIMEOUT_MS, writeTimeoutMs, "at least 0 (0: never)");
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
                + ", heartbeatIntervalMs=" + heartbeatIntervalMs + ", livenessDetector=" + livenessDetector
                + ", livenessTimeoutMs=" + livenessTimeoutMs + ", phiThreshold=" + phiThreshold
                + ", phiAcceptablePauseMs=" + phiAcceptablePauseMs + ", phiMinStdDeviationMs=" + phiMinStdDeviationMs
                + ", connectionsMaxIdleMs=" + connectionsMaxIdleMs + ", ioThreads=" + ioThreads + ", frameMemoryBytes="
                + frameMemoryBytes + ", frameTimeoutMs=" + frameTimeoutMs + ", maxFramesPerTurn=" + maxFramesPerTurn
                + ", maxQueuedRequests=" + maxQueuedRequests + ", maxUnwrittenBytes=" + maxUnwrittenBytes
                + ", connectionMaxUnwrittenBytes=" + connectionMaxUnwrittenBytes + ", writeTimeoutMs=" + writeTimeoutMs
                + "}";
    }

    /** How a client judges a silent peer (key {@value #LIVENESS_DETECTOR}: {@code timeout} or {@code phi}). */
    public enum Detector {
        /** Dead after {@link #livenessTimeoutMs()} without a byte: predictable, robust on a loaded machine. */
        TIMEOUT,
        /**
         * Phi accrual (Hayashibara et al.; as in Akka and Cassandra): adapts to the intervals observed between signs
         * of life on the connection, see {@link #phiThreshold()}, {@link #phiAcceptablePauseMs()} and
         * {@link #phiMinStdDeviationMs()}.
         */
        PHI;

        /** The detector named {@code value} (case-insensitive); INVALID_CONFIG naming the key otherwise. */
        static Detector parse(String value) {
            for (Detector d : values()) {
                if (d.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                    return d;
                }
            }
            throw new SluiceException(ErrorCode.INVALID_CONFIG, LIVENESS_DETECTOR + "=" + value
                    + " is invalid: must be one of " + names());
        }

        static String names() {
            StringBuilder names = new StringBuilder();
            for (Detector d : values()) {
                names.append(names.length() == 0 ? "" : ", ").append(d.name().toLowerCase(Locale.ROOT));
            }
            return names.toString();
        }
    }
}
