package io.sluice.registry;

import io.sluice.registry.zk.ZkPaths;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to reach the registry (ZooKeeper) and how patiently. Fluent setters without prefixes, each key named beside
 * its default; {@link #conclude()} validates once at start-up and names the offending key.
 *
 * <p>{@code sluice.registry.connect} accepts {@code zookeeper://host:port[,host:port...]} or a plain
 * {@code host:port[,host:port...]}; a port may be omitted (2181). A ZooKeeper chroot suffix is refused: use
 * {@code sluice.registry.root} instead.
 *
 * <p>Not thread-safe while being configured; treat it as immutable once concluded.
 */
public final class RegistryConfig {
    public static final String CONNECT = "sluice.registry.connect";
    public static final String CONNECT_DEFAULT = "127.0.0.1:2181";
    public static final String ROOT = "sluice.registry.root";
    public static final String ROOT_DEFAULT = "/sluice";
    public static final String SESSION_TIMEOUT_MS = "sluice.registry.session.timeout.ms";
    public static final int SESSION_TIMEOUT_MS_DEFAULT = 10_000;
    public static final String CONNECTION_TIMEOUT_MS = "sluice.registry.connection.timeout.ms";
    public static final int CONNECTION_TIMEOUT_MS_DEFAULT = 5_000;
    public static final String RETRY_BASE_MS = "sluice.registry.retry.base.ms";
    public static final int RETRY_BASE_MS_DEFAULT = 200;
    public static final String RETRY_MAX_MS = "sluice.registry.retry.max.ms";
    public static final int RETRY_MAX_MS_DEFAULT = 2_000;
    public static final String RETRY_MAX_ATTEMPTS = "sluice.registry.retry.max.attempts";
    public static final int RETRY_MAX_ATTEMPTS_DEFAULT = 3;
    public static final String WATCH_COALESCE_MS = "sluice.registry.watch.coalesce.ms";
    public static final int WATCH_COALESCE_MS_DEFAULT = 20;

    static final int DEFAULT_ZK_PORT = 2181;
    private static final String SCHEME = "zookeeper://";

    private String connect = CONNECT_DEFAULT;
    private String root = ROOT_DEFAULT;
    private int sessionTimeoutMs = SESSION_TIMEOUT_MS_DEFAULT;
    private int connectionTimeoutMs = CONNECTION_TIMEOUT_MS_DEFAULT;
    private int retryBaseMs = RETRY_BASE_MS_DEFAULT;
    private int retryMaxMs = RETRY_MAX_MS_DEFAULT;
    private int retryMaxAttempts = RETRY_MAX_ATTEMPTS_DEFAULT;
    private int watchCoalesceMs = WATCH_COALESCE_MS_DEFAULT;
    private String connectString;

    /** Reads every key of this class present in {@code values}; absent keys keep their current value. */
    public RegistryConfig apply(Map<String, String> values) {
        String v;
        if ((v = values.get(CONNECT)) != null) {
            connect(v);
        }
        if ((v = values.get(ROOT)) != null) {
            root(v);
        }
        sessionTimeoutMs = intValue(values, SESSION_TIMEOUT_MS, sessionTimeoutMs);
        connectionTimeoutMs = intValue(values, CONNECTION_TIMEOUT_MS, connectionTimeoutMs);
        retryBaseMs = intValue(values, RETRY_BASE_MS, retryBaseMs);
        retryMaxMs = intValue(values, RETRY_MAX_MS, retryMaxMs);
        retryMaxAttempts = intValue(values, RETRY_MAX_ATTEMPTS, retryMaxAttempts);
        watchCoalesceMs = intValue(values, WATCH_COALESCE_MS, watchCoalesceMs);
        return this;
    }

    /** The ensemble as configured ({@code zookeeper://h:p,...} or {@code h:p,...}). */
    public String connect() {
        return connect;
    }

    public RegistryConfig connect(String value) {
        this.connect = value;
        this.connectString = null;
        return this;
    }

    /** The ensemble as ZooKeeper expects it ({@code h:p,h:p}); available after {@link #conclude()}. */
    public String connectString() {
        if (connectString == null) {
            connectString = parseConnect(connect);
        }
        return connectString;
    }

    /** The ZooKeeper path under which all Sluice state lives. */
    public String root() {
        return root;
    }

    public RegistryConfig root(String value) {
        this.root = value;
        return this;
    }

    /** The session lapses (ephemeral registrations vanish) this long after the client is last heard from. */
    public int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public RegistryConfig sessionTimeoutMs(int value) {
        this.sessionTimeoutMs = value;
        return this;
    }

    /** How long {@link RegistryClient#connect} and each operation wait for a connection. */
    public int connectionTimeoutMs() {
        return connectionTimeoutMs;
    }

    public RegistryConfig connectionTimeoutMs(int value) {
        this.connectionTimeoutMs = value;
        return this;
    }

    /** First backoff of an operation retried after a connection loss; doubles up to {@link #retryMaxMs()}. */
    public int retryBaseMs() {
        return retryBaseMs;
    }

    public RegistryConfig retryBaseMs(int value) {
        this.retryBaseMs = value;
        return this;
    }

    public int retryMaxMs() {
        return retryMaxMs;
    }

    public RegistryConfig retryMaxMs(int value) {
        this.retryMaxMs = value;
        return this;
    }

    /** Retries of one operation after a connection loss before it fails with REGISTRY_UNAVAILABLE. */
    public int retryMaxAttempts() {
        return retryMaxAttempts;
    }

    public RegistryConfig retryMaxAttempts(int value) {
        this.retryMaxAttempts = value;
        return this;
    }

    /** Watch notifications arriving within this window are merged into one listener call. */
    public int watchCoalesceMs() {
        return watchCoalesceMs;
    }

    public RegistryConfig watchCoalesceMs(int value) {
        this.watchCoalesceMs = value;
        return this;
    }

    /** Validates every value once; throws INVALID_CONFIG naming the key. */
    public RegistryConfig conclude() {
        connectString = parseConnect(connect);
        require(root != null && root.startsWith("/") && (root.length() == 1 || !root.endsWith("/"))
                && !root.contains("//"), ROOT, root, "an absolute ZooKeeper path like /sluice");
        if (root.length() > 1) {
            for (String segment : root.substring(1).split("/")) {
                require(ZkPaths.isValidSegment(segment), ROOT, root, "made of valid ZooKeeper node names");
            }
        }
        require(sessionTimeoutMs >= 1_000 && sessionTimeoutMs <= 600_000, SESSION_TIMEOUT_MS, sessionTimeoutMs,
                "between 1000 and 600000");
        require(connectionTimeoutMs >= 100 && connectionTimeoutMs <= 600_000, CONNECTION_TIMEOUT_MS,
                connectionTimeoutMs, "between 100 and 600000");
        require(retryBaseMs >= 1, RETRY_BASE_MS, retryBaseMs, "at least 1");
        require(retryMaxMs >= retryBaseMs, RETRY_MAX_MS, retryMaxMs, "at least " + RETRY_BASE_MS + " (" + retryBaseMs
                + ")");
        require(retryMaxAttempts >= 0 && retryMaxAttempts <= 29, RETRY_MAX_ATTEMPTS, retryMaxAttempts,
                "between 0 and 29");
        require(watchCoalesceMs >= 0 && watchCoalesceMs <= 10_000, WATCH_COALESCE_MS, watchCoalesceMs,
                "between 0 and 10000");
        return this;
    }

    /** Turns {@code zookeeper://h:p,h2} or {@code h:p,h2} into {@code h:p,h2:2181}; INVALID_CONFIG if malformed. */
    static String parseConnect(String value) {
        require(value != null && !value.isBlank(), CONNECT, value, "host:port[,host:port] or zookeeper://host:port");
        String hosts = value.trim();
        if (hosts.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            hosts = hosts.substring(SCHEME.length());
        } else {
            require(!hosts.contains("://"), CONNECT, value, "zookeeper://host:port or host:port (unknown scheme)");
        }
        if (hosts.endsWith("/")) {
            hosts = hosts.substring(0, hosts.length() - 1);
        }
        require(!hosts.contains("/"), CONNECT, value, "without a chroot path (set " + ROOT + " instead)");
        List<String> out = new ArrayList<>();
        for (String part : hosts.split(",")) {
            String hp = part.trim();
            require(!hp.isEmpty(), CONNECT, value, "a comma-separated list of host:port without empty entries");
            String host = hp;
            int port = DEFAULT_ZK_PORT;
            int colon = hp.lastIndexOf(':');
            if (colon >= 0) {
                host = hp.substring(0, colon);
                port = parsePort(hp.substring(colon + 1), value);
            }
            require(!host.isEmpty() && host.indexOf(':') < 0 && host.chars().noneMatch(Character::isWhitespace),
                    CONNECT, value, "host:port entries with a host name or IPv4 address");
            out.add(host + ":" + port);
        }
        return String.join(",", out);
    }

    private static int parsePort(String text, String value) {
        int port = -1;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            // reported below
        }
        require(port >= 1 && port <= 65535, CONNECT, value, "host:port entries with a port between 1 and 65535");
        return port;
    }

    private static int intValue(Map<String, String> values, String key, int current) {
        String v = values.get(key);
        if (v == null) {
            return current;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + v + " is invalid: must be an integer");
        }
    }

    static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, key + "=" + value + " is invalid: must be " + rule);
        }
    }

    @Override
    public String toString() {
        return "RegistryConfig{" + CONNECT + "=" + connect + ", " + ROOT + "=" + root + ", " + SESSION_TIMEOUT_MS
                + "=" + sessionTimeoutMs + ", " + CONNECTION_TIMEOUT_MS + "=" + connectionTimeoutMs + "}";
    }
}
