package io.sluice.client.internals;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.TransportConfig;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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

    public static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw invalid(key, value, "an integer");
        }
    }

    public static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw invalid(key, value, "an integer");
        }
    }

    public static boolean parseBoolean(String key, String value) {
        String v = value == null ? "" : value.trim();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw invalid(key, value, "true or false");
    }

    /**
     * Applies each entry of {@code props}: keys starting with {@code sluice.transport.} go to {@code transport},
     * others to {@code apply}, which returns false for a key it does not know (then INVALID_CONFIG).
     */
    public static void applyAll(Map<String, String> props, TransportConfig transport,
                                java.util.function.BiPredicate<String, String> apply) {
        for (Map.Entry<String, String> e : props.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            boolean known = key.startsWith("sluice.transport.")
                    ? applyTransport(transport, key, value)
                    : apply.test(key, value);
            if (!known) {
                throw new SluiceException(ErrorCode.INVALID_CONFIG, "unknown configuration key " + key);
            }
        }
    }

    private static boolean applyTransport(TransportConfig t, String key, String value) {
        Consumer<String> setter = switch (key) {
            case TransportConfig.MAX_FRAME_BYTES -> v -> t.maxFrameBytes(parseInt(key, v));
            case TransportConfig.MAX_IN_FLIGHT -> v -> t.maxInFlight(parseInt(key, v));
            case TransportConfig.REQUEST_TIMEOUT_MS -> v -> t.requestTimeoutMs(parseLong(key, v));
            case TransportConfig.CONNECT_TIMEOUT_MS -> v -> t.connectTimeoutMs(parseInt(key, v));
            case TransportConfig.HEARTBEAT_INTERVAL_MS -> v -> t.heartbeatIntervalMs(parseLong(key, v));
            case TransportConfig.HEARTBEAT_MISSES -> v -> t.heartbeatMisses(parseInt(key, v));
            case TransportConfig.IO_THREADS -> v -> t.ioThreads(parseInt(key, v));
            default -> null;
        };
        if (setter == null) {
            return false;
        }
        setter.accept(value);
        return true;
    }

    /** The transport settings a client starts from: one I/O thread, as a client drives few connections. */
    public static TransportConfig clientTransport() {
        return new TransportConfig().ioThreads(1);
    }
}
