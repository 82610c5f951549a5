package io.sluice.rpc.internal.loadbalance;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * The balancers by name: {@value #RANDOM}, {@value #ROUND_ROBIN}, {@value #LEAST_ACTIVE},
 * {@value #CONSISTENT_HASH}, {@value #LATENCY_AWARE}. Stateless.
 */
public final class LoadBalancers {
    public static final String RANDOM = "random";
    public static final String ROUND_ROBIN = "round-robin";
    public static final String LEAST_ACTIVE = "least-active";
    public static final String CONSISTENT_HASH = "consistent-hash";
    public static final String LATENCY_AWARE = "latency-aware";
    public static final List<String> NAMES = List.of(RANDOM, ROUND_ROBIN, LEAST_ACTIVE, CONSISTENT_HASH,
            LATENCY_AWARE);

    private static final LoadBalancer.RandomSource RANDOM_SOURCE = bound -> ThreadLocalRandom.current().nextInt(bound);

    private LoadBalancers() {
    }

    /** Throws INVALID_CONFIG naming the allowed values if {@code name} is not a balancer. */
    public static String validate(String name) {
        if (!NAMES.contains(name)) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "unknown load balancer '" + name + "': use one of "
                    + NAMES);
        }
        return name;
    }

    /** A new balancer (one per service: some keep state). */
    public static LoadBalancer create(String name, LongSupplier clockMs) {
        return switch (validate(name)) {
            case RANDOM -> new WeightedRandomLoadBalancer(RANDOM_SOURCE, clockMs);
            case ROUND_ROBIN -> new RoundRobinLoadBalancer(clockMs);
            case LEAST_ACTIVE -> new LeastActiveLoadBalancer(RANDOM_SOURCE, clockMs);
            case CONSISTENT_HASH -> new ConsistentHashLoadBalancer();
            default -> new LatencyAwareLoadBalancer(RANDOM_SOURCE, clockMs, System::nanoTime);
        };
    }
}
