package io.sluice.rpc.internal.loadbalance;

import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Invocation;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Latency aware ("latency-aware", power of two choices): draws two distinct endpoints at random and takes the
 * cheaper, where cost = (calls in flight + 1) x latency average / effective weight. An endpoint without a latency
 * sample yet counts as 1 ns, so new providers get tried. Comparing only two random endpoints keeps many consumers
 * from stampeding onto the single best one. Stateless and thread-safe.
 */
public final class LatencyAwareLoadBalancer implements LoadBalancer {
    private final RandomSource random;
    private final LongSupplier clockMs;

    public LatencyAwareLoadBalancer(RandomSource random, LongSupplier clockMs) {
        this.random = random;
        this.clockMs = clockMs;
    }

    @Override
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        Endpoint a = candidates.get(i);
        Endpoint b = candidates.get(j);
        long nowMs = clockMs.getAsLong();
        return cost(b, nowMs) < cost(a, nowMs) ? b : a;
    }

    static double cost(Endpoint e, long nowMs) {
        double latency = Math.max(1, e.latencyEwmaNs());
        return (e.active() + 1) * latency / Math.max(1, e.effectiveWeight(nowMs));
    }
}
