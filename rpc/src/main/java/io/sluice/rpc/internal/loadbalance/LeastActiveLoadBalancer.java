package io.sluice.rpc.internal.loadbalance;

import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Invocation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Least active ("least-active"): the endpoint with the fewest calls in flight from this consumer; ties are broken
 * by weighted random over the tied endpoints. The tie-break subtracts each weight from a draw in [0, total) and
 * picks the endpoint that takes it below zero ({@code < 0}, not {@code <= 0}: the latter would hand the boundary
 * draw to the earlier endpoint and skew two equal weights towards the first). With two tied endpoints of weight
 * 100, draws 0..99 pick the first and 100..199 the second. Stateless and thread-safe.
 */
public final class LeastActiveLoadBalancer implements LoadBalancer {
    private final RandomSource random;
    private final LongSupplier clockMs;

    public LeastActiveLoadBalancer(RandomSource random, LongSupplier clockMs) {
        this.random = random;
        this.clockMs = clockMs;
    }

    @Override
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        int least = Integer.MAX_VALUE;
        Endpoint only = null;
        List<Endpoint> tied = null;
        for (int i = 0; i < n; i++) {
            Endpoint e = candidates.get(i);
            int active = e.active();
            if (active < least) {
                least = active;
                only = e;
                tied = null;
            } else if (active == least) {
                if (tied == null) {
                    tied = new ArrayList<>(n);
                    tied.add(only);
                }
                tied.add(e);
            }
        }
        return tied == null ? only : WeightedRandomLoadBalancer.pick(tied, clockMs.getAsLong(), random);
    }
}
