package io.sluice.rpc;

import java.util.List;
import java.util.Map;

import static io.sluice.rpc.internal.ConfigValues.booleanValue;
import static io.sluice.rpc.internal.ConfigValues.intValue;
import static io.sluice.rpc.internal.ConfigValues.listValue;
import static io.sluice.rpc.internal.ConfigValues.longValue;
import static io.sluice.rpc.internal.ConfigValues.require;
import static io.sluice.rpc.internal.ConfigValues.stringValue;

/**
 * Settings of an RPC provider process. Fluent accessors without prefixes; {@link #apply} reads the named keys
 * from a map (e.g. a properties file); {@link #conclude()} validates once at start and names the offending key.
 * Not thread-safe: configure, then hand to {@link RpcServer.Builder#config}.
 */
public final class RpcServerConfig {
    public static final String HOST = "sluice.rpc.server.host";
    public static final String HOST_DEFAULT = "127.0.0.1";
    public static final String PORT = "sluice.rpc.server.port";
    public static final int PORT_DEFAULT = 20880;
    public static final String ADVERTISED_HOST = "sluice.rpc.server.advertised.host";
    public static final String BUSINESS_THREADS = "sluice.rpc.server.business.threads";
    public static final int BUSINESS_THREADS_DEFAULT = 64;
    public static final String BUSINESS_QUEUE = "sluice.rpc.server.business.queue";
    public static final int BUSINESS_QUEUE_DEFAULT = 1024;
    public static final String ONEWAY_ORDERED = "sluice.rpc.server.oneway.ordered";
    public static final boolean ONEWAY_ORDERED_DEFAULT = true;
    public static final String MAX_PAYLOAD_BYTES = "sluice.rpc.max.payload.bytes";
    public static final int MAX_PAYLOAD_BYTES_DEFAULT = 8 * 1024 * 1024;
    public static final String ALLOWED_CLASSES = "sluice.rpc.serialization.allowed.classes";
    public static final String WARMUP_MS = "sluice.rpc.server.warmup.ms";
    public static final long WARMUP_MS_DEFAULT = 30_000;
    public static final String UNREGISTER_GRACE_MS = "sluice.rpc.server.unregister.grace.ms";
    public static final long UNREGISTER_GRACE_MS_DEFAULT = 1_000;
    public static final String SHUTDOWN_TIMEOUT_MS = "sluice.rpc.server.shutdown.timeout.ms";
    public static final long SHUTDOWN_TIMEOUT_MS_DEFAULT = 10_000;
    public static final String SHUTDOWN_HOOK = "sluice.rpc.server.shutdown.hook";
    public static final boolean SHUTDOWN_HOOK_DEFAULT = true;
    public static final String APPLICATION = "sluice.rpc.application";
    public static final String APPLICATION_DEFAULT = "sluice-rpc";

    private String host = HOST_DEFAULT;
    private int port = PORT_DEFAULT;
    private String advertisedHost;
    private int businessThreads = BUSINESS_THREADS_DEFAULT;
    private int businessQueue = BUSINESS_QUEUE_DEFAULT;
    private boolean onewayOrdered = ONEWAY_ORDERED_DEFAULT;
    private int maxPayloadBytes = MAX_PAYLOAD_BYTES_DEFAULT;
    private List<String> allowedClasses = List.of();
    private long warmupMs = WARMUP_MS_DEFAULT;
    private long unregisterGraceMs = UNREGISTER_GRACE_MS_DEFAULT;
    private long shutdownTimeoutMs = SHUTDOWN_TIMEOUT_MS_DEFAULT;
    private boolean shutdownHook = SHUTDOWN_HOOK_DEFAULT;
    private String application = APPLICATION_DEFAULT;

    /** Reads every key of this class present in {@code values}; absent keys keep their current value. */
    public RpcServerConfig apply(Map<String, String> values) {
        host = stringValue(values, HOST, host);
        port = intValue(values, PORT, port);
        advertisedHost = stringValue(values, ADVERTISED_HOST, advertisedHost);
        businessThreads = intValue(values, BUSINESS_THREADS, businessThreads);
        businessQueue = intValue(values, BUSINESS_QUEUE, businessQueue);
        onewayOrdered = booleanValue(values, ONEWAY_ORDERED, onewayOrdered);
        maxPayloadBytes = intValue(values, MAX_PAYLOAD_BYTES, maxPayloadBytes);
        allowedClasses = listValue(values, ALLOWED_CLASSES, allowedClasses);
        warmupMs = longValue(values, WARMUP_MS, warmupMs);
        unregisterGraceMs = longValue(values, UNREGISTER_GRACE_MS, unregisterGraceMs);
        shutdownTimeoutMs = longValue(values, SHUTDOWN_TIMEOUT_MS, shutdownTimeoutMs);
        shutdownHook = booleanValue(values, SHUTDOWN_HOOK, shutdownHook);
        application = stringValue(values, APPLICATION, application);
        return this;
    }

    /** The address to listen on (a specific address, not a wildcard). */
    public String host() {
        return host;
    }

    public RpcServerConfig host(String value) {
        this.host = value;
        return this;
    }

    /** The port to listen on; 0 picks a free one. */
    public int port() {
        return port;
    }

    public RpcServerConfig port(int value) {
        this.port = value;
        return this;
    }

    /** The host consumers are told to connect to; defaults to {@link #host()}. */
    public String advertisedHost() {
        return advertisedHost == null || advertisedHost.isEmpty() ? host : advertisedHost;
    }

    public RpcServerConfig advertisedHost(String value) {
        this.advertisedHost = value;
        return this;
    }

    /** Threads that run service methods (separate from the I/O threads). */
    public int businessThreads() {
        return businessThreads;
    }

    public RpcServerConfig businessThreads(int value) {
        this.businessThreads = value;
        return this;
    }

    /** Calls that may wait for a business thread; past it, calls are refused at once with PROVIDER_BUSY. */
    public int businessQueue() {
        return businessQueue;
    }

    public RpcServerConfig businessQueue(int value) {
        this.businessQueue = value;
        return this;
    }

    /**
     * True: the oneway calls of one connection run one after another, in the order they arrived (a caller's
     * fire-and-forget calls take effect in the order it made them). False: they run in parallel on the business
     * pool, in any order. Two-way calls always run in parallel.
     */
    public boolean onewayOrdered() {
        return onewayOrdered;
    }

    public RpcServerConfig onewayOrdered(boolean value) {
        this.onewayOrdered = value;
        return this;
    }

    /** Largest serialized arguments or result accepted or sent. */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    public RpcServerConfig maxPayloadBytes(int value) {
        this.maxPayloadBytes = value;
        return this;
    }

    /**
     * Classes (or packages, ending in '.') that arguments may name on the wire besides the JDK value types and
     * the packages of the exported interfaces.
     */
    public List<String> allowedClasses() {
        return allowedClasses;
    }

    public RpcServerConfig allowedClasses(List<String> value) {
        this.allowedClasses = List.copyOf(value);
        return this;
    }

    /** Time after start over which the provider's weight ramps up to its full value at consumers; 0 for none. */
    public long warmupMs() {
        return warmupMs;
    }

    public RpcServerConfig warmupMs(long value) {
        this.warmupMs = value;
        return this;
    }

    /** On shutdown, time between deregistering and refusing new calls, for consumers to learn of it. */
    public long unregisterGraceMs() {
        return unregisterGraceMs;
    }

    public RpcServerConfig unregisterGraceMs(long value) {
        this.unregisterGraceMs = value;
        return this;
    }

    /** On shutdown, the longest wait for calls in flight after the grace period. */
    public long shutdownTimeoutMs() {
        return shutdownTimeoutMs;
    }

    public RpcServerConfig shutdownTimeoutMs(long value) {
        this.shutdownTimeoutMs = value;
        return this;
    }

    /**
     * Whether the server closes itself gracefully (as {@code close()} does) when the JVM shuts down, on SIGTERM or
     * {@code System.exit}: a JVM shutdown hook, as Dubbo installs. Default true; turn it off where the application
     * orders its own shutdown and calls {@code close()} itself.
     */
    public boolean shutdownHook() {
        return shutdownHook;
    }

    public RpcServerConfig shutdownHook(boolean value) {
        this.shutdownHook = value;
        return this;
    }

    /** The application name shown in the registry. */
    public String application() {
        return application;
    }

    public RpcServerConfig application(String value) {
        this.application = value;
        return this;
    }

    /** True for an address literal that means "every interface" (0.0.0.0, ::, ...). */
    private static boolean isWildcard(String host) {
        if (!host.matches("[0-9a-fA-F:.]+")) {
            return false; // a host name: never looked up here
        }
        try {
            return java.net.InetAddress.getByName(host).isAnyLocalAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Validates every value once; throws INVALID_CONFIG naming the key. */
    public RpcServerConfig conclude() {
        require(host != null && !host.isBlank() && !isWildcard(host), HOST, host,
                "a specific address such as 127.0.0.1, not a wildcard");
        require(port >= 0 && port <= 65535, PORT, port, "0..65535");
        require(businessThreads >= 1 && businessThreads <= 10_000, BUSINESS_THREADS, businessThreads, "1..10000");
        require(businessQueue >= 0 && businessQueue <= 1_000_000, BUSINESS_QUEUE, businessQueue, "0..1000000");
        require(maxPayloadBytes >= 1024, MAX_PAYLOAD_BYTES, maxPayloadBytes, "at least 1024");
        require(warmupMs >= 0, WARMUP_MS, warmupMs, "at least 0");
        require(unregisterGraceMs >= 0 && unregisterGraceMs <= 600_000, UNREGISTER_GRACE_MS, unregisterGraceMs,
                "0..600000");
        require(shutdownTimeoutMs >= 0 && shutdownTimeoutMs <= 600_000, SHUTDOWN_TIMEOUT_MS, shutdownTimeoutMs,
                "0..600000");
        require(application != null && !application.isBlank(), APPLICATION, application, "a name");
        return this;
    }

    @Override
    public String toString() {
        return "RpcServerConfig{" + HOST + "=" + host + ", " + PORT + "=" + port + ", " + BUSINESS_THREADS + "="
                + businessThreads + ", " + BUSINESS_QUEUE + "=" + businessQueue + "}";
    }
}
