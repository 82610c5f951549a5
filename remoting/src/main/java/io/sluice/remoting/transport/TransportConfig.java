package io.sluice.remoting.transport;

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

    /** A config with every key read from {@code source} (defaults for absent keys); call {@link #conclude()}. */
    public static TransportConfig from(ConfigSource source) {
        return new TransportConfig()
                .maxFrameBytes(source.getInt(MAX_FRAME_BYTES, MAX_FRAME_BYTES_DEFAULT))
                .maxInFlight(source.getInt(MAX_IN_FLIGHT, MAX_IN_FLIGHT_DEFAULT))
                .requestTimeoutMs(source.getLong(REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS_DEFAULT))
                .connectTimeoutMs(source.getInt(CONNECT_TIMEOUT_MS, CONNECT_TIMEOUT_MS_DEFAULT))
                .heartbeatIntervalMs(source.getLong(HEARTBEAT_INTERVAL_MS, HEARTBEAT_INTERVAL_MS_DEFAULT))
                .ioThreads(source.getInt(IO_THREADS, IO_THREADS_DEFAULT))
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
                + ", connectionsMaxIdleMs=" + connectionsMaxIdleMs + ", ioThreads=" + ioThreads + "}";
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
