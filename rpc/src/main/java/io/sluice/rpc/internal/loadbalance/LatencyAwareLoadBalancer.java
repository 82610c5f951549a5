package io.sluice.rpc.internal.loadbalance;

import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Invocation;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Latency aware ("latency-aware", power of two choices): draws two distinct endpoints at random and takes the
 * cheaper, where cost = (calls in flight + 1) x latency estimate / effective weight. The estimate is a moving
 * average that decays while the endpoint gets no answers (see {@link Endpoint#latencyEstimateNs}), and an endpoint
 * without a sample yet counts as 1 ns, so new and recovering providers get tried. Comparing only two random
 * endpoints keeps many consumers from stampeding onto the single best one. Stateless and thread-safe.
 */
public final class LatencyAwareLoadBalancer implements LoadBalancer {
    private final RandomSource random;
    private final LongSupplier clockMs;
    private final LongSupplier nanoClock;

    public LatencyAwareLoadBalancer(RandomSource random, LongSupplier clockMs, LongSupplier nanoClock) {
        this.random = random;
        this.clockMs = clockMs;
        this.nanoClock = nanoClock;
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
        long nowNs = nanoClock.getAsLong();
        return cost(b, nowMs, nowNs) < cost(a, nowMs, nowNs) ? b : a;
    }

    static double cost(Endpoint e, long nowMs, long nowNs) {
        double latency = Math.max(1, e.latencyEstimateNs(nowNs));
        return (e.active() + 1) * latency / Math.max(1, e.effectiveWeight(nowMs));
    }
}
