package io.sluice.rpc;

import io.sluice.rpc.internal.invoke.RpcInvoker;
import io.sluice.rpc.internal.loadbalance.LoadBalancers;

import java.util.List;
import java.util.Map;

import static io.sluice.rpc.internal.ConfigValues.intValue;
import static io.sluice.rpc.internal.ConfigValues.listValue;
import static io.sluice.rpc.internal.ConfigValues.longValue;
import static io.sluice.rpc.internal.ConfigValues.require;
import static io.sluice.rpc.internal.ConfigValues.stringValue;

/**
 * Settings of an RPC consumer: the defaults of every stub's call options, limits, and the timings of its
 * resilience machinery (retry budget, circuit breakers, reconnect backoff). Fluent accessors without prefixes;
 * {@link #apply} reads the named keys from a map; {@link #conclude()} validates once and names the offending key.
 * Not thread-safe: configure, then hand to {@link RpcClient.Builder#config}.
 */
public final class RpcClientConfig {
    public static final String TIMEOUT_MS = "sluice.rpc.client.timeout.ms";
    public static final long TIMEOUT_MS_DEFAULT = 3_000;
    public static final String RETRIES = "sluice.rpc.client.retries";
    public static final int RETRIES_DEFAULT = 2;
    public static final String LOAD_BALANCER = "sluice.rpc.client.load.balancer";
    public static final String LOAD_BALANCER_DEFAULT = LoadBalancers.RANDOM;
    public static final String CLUSTER = "sluice.rpc.client.cluster";
    public static final String CLUSTER_DEFAULT = "failover";
    public static final String MAX_PAYLOAD_BYTES = RpcServerConfig.MAX_PAYLOAD_BYTES;
    public static final int MAX_PAYLOAD_BYTES_DEFAULT = RpcServerConfig.MAX_PAYLOAD_BYTES_DEFAULT;
    public static final String ALLOWED_CLASSES = RpcServerConfig.ALLOWED_CLASSES;
    public static final String RETRY_BUDGET_PERCENT = "sluice.rpc.client.retry.budget.percent";
    public static final int RETRY_BUDGET_PERCENT_DEFAULT = 20;
    public static final String RETRY_BUDGET_MIN_PER_SECOND = "sluice.rpc.client.retry.budget.min.per.second";
    public static final int RETRY_BUDGET_MIN_PER_SECOND_DEFAULT = 10;
    public static final String CIRCUIT_FAILURE_THRESHOLD = "sluice.rpc.client.circuit.failure.threshold";
    public static final int CIRCUIT_FAILURE_THRESHOLD_DEFAULT = 5;
    public static final String CIRCUIT_OPEN_MS = "sluice.rpc.client.circuit.open.ms";
    public static final long CIRCUIT_OPEN_MS_DEFAULT = 1_000;
    public static final String CIRCUIT_OPEN_MAX_MS = "sluice.rpc.client.circuit.open.max.ms";
    public static final long CIRCUIT_OPEN_MAX_MS_DEFAULT = 30_000;
    public static final String RECONNECT_BACKOFF_MS = "sluice.rpc.client.reconnect.backoff.ms";
    public static final long RECONNECT_BACKOFF_MS_DEFAULT = 100;
    public static final String RECONNECT_BACKOFF_MAX_MS = "sluice.rpc.client.reconnect.backoff.max.ms";
    public static final long RECONNECT_BACKOFF_MAX_MS_DEFAULT = 5_000;
    public static final String CALLBACK_THREADS = "sluice.rpc.client.callback.threads";
    public static final int CALLBACK_THREADS_DEFAULT = Math.max(2, Runtime.getRuntime().availableProcessors());
    public static final String APPLICATION = RpcServerConfig.APPLICATION;

    private long timeoutMs = TIMEOUT_MS_DEFAULT;
    private int retries = RETRIES_DEFAULT;
    private String loadBalancer = LOAD_BALANCER_DEFAULT;
    private String cluster = CLUSTER_DEFAULT;
    private int maxPayloadBytes = MAX_PAYLOAD_BYTES_DEFAULT;
    private List<String> allowedClasses = List.of();
    private int retryBudgetPercent = RETRY_BUDGET_PERCENT_DEFAULT;
    private int retryBudgetMinPerSecond = RETRY_BUDGET_MIN_PER_SECOND_DEFAULT;
    private int circuitFailureThreshold = CIRCUIT_FAILURE_THRESHOLD_DEFAULT;
    private long circuitOpenMs = CIRCUIT_OPEN_MS_DEFAULT;
    private long circuitOpenMaxMs = CIRCUIT_OPEN_MAX_MS_DEFAULT;
    private long reconnectBackoffMs = RECONNECT_BACKOFF_MS_DEFAULT;
    private long reconnectBackoffMaxMs = RECONNECT_BACKOFF_MAX_MS_DEFAULT;
    private int callbackThreads = CALLBACK_THREADS_DEFAULT;
    private String application = RpcServerConfig.APPLICATION_DEFAULT;

    /** Reads every key of this class present in {@code values}; absent keys keep their current value. */
    public RpcClientConfig apply(Map<String, String> values) {
        timeoutMs = longValue(values, TIMEOUT_MS, timeoutMs);
        retries = intValue(values, RETRIES, retries);
        loadBalancer = stringValue(values, LOAD_BALANCER, loadBalancer);
        cluster = stringValue(values, CLUSTER, cluster);
        maxPayloadBytes = intValue(values, MAX_PAYLOAD_BYTES, maxPayloadBytes);
        allowedClasses = listValue(values, ALLOWED_CLASSES, allowedClasses);
        retryBudgetPercent = intValue(values, RETRY_BUDGET_PERCENT, retryBudgetPercent);
        retryBudgetMinPerSecond = intValue(values, RETRY_BUDGET_MIN_PER_SECOND, retryBudgetMinPerSecond);
        circuitFailureThreshold = intValue(values, CIRCUIT_FAILURE_THRESHOLD, circuitFailureThreshold);
        circuitOpenMs = longValue(values, CIRCUIT_OPEN_MS, circuitOpenMs);
        circuitOpenMaxMs = longValue(values, CIRCUIT_OPEN_MAX_MS, circuitOpenMaxMs);
        reconnectBackoffMs = longValue(values, RECONNECT_BACKOFF_MS, reconnectBackoffMs);
        reconnectBackoffMaxMs = longValue(values, RECONNECT_BACKOFF_MAX_MS, reconnectBackoffMaxMs);
        callbackThreads = intValue(values, CALLBACK_THREADS, callbackThreads);
        application = stringValue(values, APPLICATION, application);
        return this;
    }

    /** Default deadline of a call, retries included. */
    public long timeoutMs() {
        return timeoutMs;
    }

    public RpcClientConfig timeoutMs(long value) {
        this.timeoutMs = value;
        return this;
    }

    /** Default extra attempts of failover (applied only to calls safe to retry unless set per stub). */
    public int retries() {
        return retries;
    }

    public RpcClientConfig retries(int value) {
        this.retries = value;
        return this;
    }

    public String loadBalancer() {
        return loadBalancer;
    }

    public RpcClientConfig loadBalancer(String value) {
        this.loadBalancer = value;
        return this;
    }

    public String cluster() {
        return cluster;
    }

    public RpcClientConfig cluster(String value) {
        this.cluster = value;
        return this;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    public RpcClientConfig maxPayloadBytes(int value) {
        this.maxPayloadBytes = value;
        return this;
    }

    /** Classes or packages results may name on the wire besides JDK types and the stubbed interfaces' packages. */
    public List<String> allowedClasses() {
        return allowedClasses;
    }

    public RpcClientConfig allowedClasses(List<String> value) {
        this.allowedClasses = List.copyOf(value);
        return this;
    }

    /** Retries allowed per 100 calls, across the client. */
    public int retryBudgetPercent() {
        return retryBudgetPercent;
    }

    public RpcClientConfig retryBudgetPercent(int value) {
        this.retryBudgetPercent = value;
        return this;
    }

    /** Retries always allowed per second, however few calls were made. */
    public int retryBudgetMinPerSecond() {
        return retryBudgetMinPerSecond;
    }

    public RpcClientConfig retryBudgetMinPerSecond(int value) {
        this.retryBudgetMinPerSecond = value;
        return this;
    }

    /** Consecutive health failures that open a provider's circuit. */
    public int circuitFailureThreshold() {
        return circuitFailureThreshold;
    }

    public RpcClientConfig circuitFailureThreshold(int value) {
        this.circuitFailureThreshold = value;
        return this;
    }

    /** First open period of a circuit; doubles after each failed probe up to {@link #circuitOpenMaxMs()}. */
    public long circuitOpenMs() {
        return circuitOpenMs;
    }

    public RpcClientConfig circuitOpenMs(long value) {
        this.circuitOpenMs = value;
        return this;
    }

    public long circuitOpenMaxMs() {
        return circuitOpenMaxMs;
    }

    public RpcClientConfig circuitOpenMaxMs(long value) {
        this.circuitOpenMaxMs = value;
        return this;
    }

    /** First delay before reconnecting to a lost provider; doubles up to {@link #reconnectBackoffMaxMs()}. */
    public long reconnectBackoffMs() {
        return reconnectBackoffMs;
    }

    public RpcClientConfig reconnectBackoffMs(long value) {
        this.reconnectBackoffMs = value;
        return this;
    }

    public long reconnectBackoffMaxMs() {
        return reconnectBackoffMaxMs;
    }

    public RpcClientConfig reconnectBackoffMaxMs(long value) {
        this.reconnectBackoffMaxMs = value;
        return this;
    }

    /** Threads that complete the futures of async calls (so user callbacks never run on I/O threads). */
    public int callbackThreads() {
        return callbackThreads;
    }

    public RpcClientConfig callbackThreads(int value) {
        this.callbackThreads = value;
        return this;
    }

    public String application() {
        return application;
    }

    public RpcClientConfig application(String value) {
        this.application = value;
        return this;
    }

    /** Validates every value once; throws INVALID_CONFIG naming the key. */
    public RpcClientConfig conclude() {
        require(timeoutMs >= 1 && timeoutMs <= 3_600_000, TIMEOUT_MS, timeoutMs, "1..3600000");
        require(retries >= 0 && retries <= 10, RETRIES, retries, "0..10");
        require(LoadBalancers.NAMES.contains(loadBalancer), LOAD_BALANCER, loadBalancer, "one of "
                + LoadBalancers.NAMES);
        require(RpcInvoker.CLUSTER_MODES.contains(cluster), CLUSTER, cluster, "one of " + RpcInvoker.CLUSTER_MODES);
        require(maxPayloadBytes >= 1024, MAX_PAYLOAD_BYTES, maxPayloadBytes, "at least 1024");
        require(retryBudgetPercent >= 0 && retryBudgetPercent <= 100, RETRY_BUDGET_PERCENT, retryBudgetPercent,
                "0..100");
        require(retryBudgetMinPerSecond >= 0 && retryBudgetMinPerSecond <= 100_000, RETRY_BUDGET_MIN_PER_SECOND,
                retryBudgetMinPerSecond, "0..100000");
        require(circuitFailureThreshold >= 1, CIRCUIT_FAILURE_THRESHOLD, circuitFailureThreshold, "at least 1");
        require(circuitOpenMs >= 1, CIRCUIT_OPEN_MS, circuitOpenMs, "at least 1");
        require(circuitOpenMaxMs >= circuitOpenMs, CIRCUIT_OPEN_MAX_MS, circuitOpenMaxMs, "at least "
                + CIRCUIT_OPEN_MS);
        require(reconnectBackoffMs >= 1, RECONNECT_BACKOFF_MS, reconnectBackoffMs, "at least 1");
        require(reconnectBackoffMaxMs >= reconnectBackoffMs, RECONNECT_BACKOFF_MAX_MS, reconnectBackoffMaxMs,
                "at least " + RECONNECT_BACKOFF_MS);
        require(callbackThreads >= 1 && callbackThreads <= 1024, CALLBACK_THREADS, callbackThreads, "1..1024");
        require(application != null && !application.isBlank(), APPLICATION, application, "a name");
        return this;
    }

    @Override
    public String toString() {
        return "RpcClientConfig{" + TIMEOUT_MS + "=" + timeoutMs + ", " + RETRIES + "=" + retries + ", "
                + LOAD_BALANCER + "=" + loadBalancer + ", " + CLUSTER + "=" + cluster + "}";
    }
}
