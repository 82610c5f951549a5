package io.sluice.rpc.internal.endpoint;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One provider of one service as a consumer sees it: the registered facts (address, weight, start time, warm-up),
 * the live statistics the balancers read (calls in flight, latency average), its circuit breaker, and the shared
 * {@link ProviderChannel} to its address (null in balancer unit tests).
 *
 * <p>Thread-safe: counters are atomic, the latency average is a racy but bounded volatile update (a lost update
 * only delays the average by one sample).
 */
public final class Endpoint {
    private static final double LATENCY_WEIGHT = 0.2;
    /** An idle endpoint's latency estimate decays with this time constant, so one slow sample cannot starve it. */
    static final double LATENCY_DECAY_NS = 1e9;

    private final String id;
    private final InetSocketAddress address;
    private final int weight;
    private final long startedAtMs;
    private final long warmupMs;
    private final Map<String, String> metadata;
    private final ProviderChannel channel;
    private final CircuitBreaker breaker;
    private final AtomicInteger active = new AtomicInteger();
    private volatile long latencyEwmaNs;
    private volatile long lastSampleNs;
    private volatile int drainingGeneration = -1;

    public Endpoint(String id, InetSocketAddress address, int weight, long startedAtMs, long warmupMs,
                    Map<String, String> metadata, ProviderChannel channel, CircuitBreaker breaker) {
        this.id = id;
        this.address = address;
        this.weight = weight;
        this.startedAtMs = startedAtMs;
        this.warmupMs = warmupMs;
        this.metadata = metadata == null ? Map.of() : metadata;
        this.channel = channel;
        this.breaker = breaker;
    }

    /** An endpoint without a connection or breaker, for balancer tests and tools. */
    public static Endpoint detached(String host, int port, int weight) {
        return new Endpoint(host + ":" + port, InetSocketAddress.createUnresolved(host, port), weight, 0, 0, Map.of(),
                null, null);
    }

    /** The registered instance id (host:port unless the provider chose another). */
    public String id() {
        return id;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int weight() {
        return weight;
    }

    public long startedAtMs() {
        return startedAtMs;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public ProviderChannel channel() {
        return channel;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    /**
     * The weight to balance with at {@code nowMs}: during the provider's warm-up it grows linearly with uptime,
     * from 1 to the registered weight, so a cold JVM is not flooded.
     */
    public int effectiveWeight(long nowMs) {
        if (weight <= 0) {
            return 0;
        }
        if (warmupMs <= 0 || startedAtMs <= 0) {
            return weight;
        }
        long uptime = nowMs - startedAtMs;
        if (uptime >= warmupMs) {
            return weight;
        }
        if (uptime <= 0) {
            return 1;
        }
        return (int) Math.max(1, Math.min(weight, (long) weight * uptime / warmupMs));
    }

    /** Calls to this endpoint in flight from this consumer. */
    public int active() {
        return active.get();
    }

    public void onAttemptStart() {
        active.incrementAndGet();
    }

    public void onAttemptEnd(long latencyNs, long nowNs) {
        active.decrementAndGet();
        long old = latencyEstimateNs(nowNs);
        latencyEwmaNs = Math.max(1, old == 0 ? latencyNs : (long) (old + (latencyNs - old) * LATENCY_WEIGHT));
        lastSampleNs = nowNs;
    }

    /**
     * The moving average of attempt latency (0 before the first answer), decayed towards zero by the time since
     * the last answer (time constant 1 s): an endpoint that got one slow answer and then no traffic is tried again
     * after a while instead of being starved by the latency-aware balancer forever.
     */
    public long latencyEstimateNs(long nowNs) {
        long ewma = latencyEwmaNs;
        long idleNs = nowNs - lastSampleNs;
        if (ewma == 0 || idleNs <= 0) {
            return ewma;
        }
        return (long) (ewma * Math.exp(-idleNs / LATENCY_DECAY_NS));
    }

    /** The provider said it is shutting down: avoid it until it reconnects as a new process. */
    public void markDraining() {
        drainingGeneration = channel == null ? 0 : channel.generation();
    }

    public boolean draining() {
        int g = drainingGeneration;
        return g >= 0 && (channel == null || g == channel.generation());
    }

    /** Usable for a new call: connection not backing off, not draining, breaker letting calls through. */
    public boolean usable(long nowNs) {
        return (channel == null || channel.usable()) && !draining() && (breaker == null || breaker.permits(nowNs));
    }

    @Override
    public String toString() {
        return id + "{weight=" + weight + ", active=" + active.get() + (breaker == null ? "" : ", circuit=" + breaker)
                + (channel == null ? "" : ", " + channel.state()) + "}";
    }
}
