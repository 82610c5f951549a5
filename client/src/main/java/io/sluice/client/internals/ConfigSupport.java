package io.sluice.client.internals;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.config.ConfigSource;
import io.sluice.remoting.transport.TransportConfig;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * Validation and parsing shared by the client configs: every failure is an {@code INVALID_CONFIG} naming the key,
 * the value and the rule. Stateless and thread-safe.
 */
public final class ConfigSupport {
    private ConfigSupport() {
    }

    /** Throws INVALID_CONFIG for {@code key=value} unless {@code ok}. */
    public static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw invalid(key, value, rule);
        }
    }

    public static SluiceException invalid(String key, Object value, String rule) {
        return new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is invalid: must be " + rule);
    }

    /** Parses "host:port,host:port" into addresses; INVALID_CONFIG naming {@code key} if any part is wrong. */
    public static List<InetSocketAddress> parseAddresses(String key, String value) {
        String rule = "a comma-separated list of host:port with ports 1-65535";
        require(value != null && !value.isBlank(), key, value, rule);
        List<InetSocketAddress> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String hostPort = part.trim();
            int colon = hostPort.lastIndexOf(':');
            require(colon > 0 && colon < hostPort.length() - 1, key, value, rule);
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw invalid(key, value, rule);
            }
            require(port >= 1 && port <= 65535, key, value, rule);
            out.add(InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port));
        }
        return List.copyOf(out);
    }




    /**
     * Applies every key of {@code source} under {@code prefix} through {@code apply}, which returns false for a key
     * it does not know (then INVALID_CONFIG naming the key and where it came from), and the {@code sluice.transport.}
     * keys present in {@code source} to {@code transport} (absent ones keep the client's defaults).
     */
    public static void applyAll(ConfigSource source, String prefix, TransportConfig transport,
                                BiPredicate<String, ConfigSource> apply) {
        for (String suffix : source.withPrefix(prefix).keySet()) {
            String key = prefix + suffix;
            if (!apply.test(key, source)) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "unknown configuration key " + key + " (from "
                        + source.origin(key) + ")");
            }
        }
        TransportConfig t = transport;
        if (source.contains(TransportConfig.MAX_FRAME_BYTES)) {
            t.maxFrameBytes(source.getInt(TransportConfig.MAX_FRAME_BYTES, t.maxFrameBytes()));
        }
        if (source.contains(TransportConfig.MAX_IN_FLIGHT)) {
            t.maxInFlight(source.getInt(TransportConfig.MAX_IN_FLIGHT, t.maxInFlight()));
        }
        if (source.contains(TransportConfig.REQUEST_TIMEOUT_MS)) {
            t.requestTimeoutMs(source.getLong(TransportConfig.REQUEST_TIMEOUT_MS, t.requestTimeoutMs()));
        }
        if (source.contains(TransportConfig.CONNECT_TIMEOUT_MS)) {
            t.connectTimeoutMs(source.getInt(TransportConfig.CONNECT_TIMEOUT_MS, t.connectTimeoutMs()));
        }
        if (source.contains(TransportConfig.HEARTBEAT_INTERVAL_MS)) {
            t.heartbeatIntervalMs(source.getLong(TransportConfig.HEARTBEAT_INTERVAL_MS, t.heartbeatIntervalMs()));
        }
        t.livenessFrom(source);
        if (source.contains(TransportConfig.IO_THREADS)) {
            t.ioThreads(source.getInt(TransportConfig.IO_THREADS, t.ioThreads()));
        }
    }

    /** The transport settings a client starts from: one I/O thread, as a client drives few connections. */
    public static TransportConfig clientTransport() {
        return new TransportConfig().ioThreads(1);
    }
}
