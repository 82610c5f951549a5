package io.sluice.rpc.internal.loadbalance;

import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Invocation;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * Weighted random ("random"): each endpoint owns a slice of [0, total weight) in list order, and a uniform draw
 * picks the slice it falls in. With weights 10/20/20/30 for A/B/C/D the slices are A [0,10), B [10,30),
 * C [30,50), D [50,80): a draw of 15 falls on B, 37 on C, 54 on D. Weights are the effective (warm-up adjusted)
 * ones. Stateless and thread-safe.
 */
public final class WeightedRandomLoadBalancer implements LoadBalancer {
    private final RandomSource random;
    private final LongSupplier clockMs;

    public WeightedRandomLoadBalancer(RandomSource random, LongSupplier clockMs) {
        this.random = random;
        this.clockMs = clockMs;
    }

    @Override
    public Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        return pick(candidates, clockMs.getAsLong(), random);
    }

    /** The weighted random pick among {@code candidates}; equal chances when every weight is zero. */
    static Endpoint pick(List<Endpoint> candidates, long nowMs, RandomSource random) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += candidates.get(i).effectiveWeight(nowMs);
        }
        if (total <= 0 || total > Integer.MAX_VALUE) {
            return candidates.get(random.nextInt(n));
        }
        int offset = random.nextInt((int) total);
        for (int i = 0; i < n; i++) {
            offset -= candidates.get(i).effectiveWeight(nowMs);
            if (offset < 0) {
                return candidates.get(i);
            }
        }
        return candidates.get(n - 1);
    }
}
