package io.sluice.rpc.internal.loadbalance;

import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Invocation;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Smooth weighted round robin ("round-robin", as in nginx): on each pick every candidate's current value grows by
 * its weight, the largest wins and gives back the total. Weights 4/1/1 for a/b/c give a, a, b, a, c, a and
 * repeat: each endpoint gets its share, spread out rather than in bursts. State is kept per endpoint id and
 * forgotten for endpoints absent from the candidates for a while.
 *
 * <p>Thread-safe: picks are serialized on the instance (one per service).
 */
public final class RoundRobinLoadBalancer implements LoadBalancer {
    private static final int FORGET_AFTER_PICKS = 1024;

    private final LongSupplier clockMs;
    private final Map<String, long[]> state = new HashMap<>(); // id -> {current, lastSeenPick}
    private long picks;

    public RoundRobinLoadBalancer(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    @Override
    public synchronized Endpoint select(List<Endpoint> candidates, Invocation invocation) {
        long nowMs = clockMs.getAsLong();
        long pick = ++picks;
        long total = 0;
        Endpoint best = null;
        long[] bestState = null;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            Endpoint e = candidates.get(i);
            int weight = e.effectiveWeight(nowMs);
            long[] s = state.computeIfAbsent(e.id(), k -> new long[2]);
            s[0] += weight;
            s[1] = pick;
            total += weight;
            if (bestState == null || s[0] > bestState[0]) {
                best = e;
                bestState = s;
            }
        }
        bestState[0] -= total;
        if (pick % FORGET_AFTER_PICKS == 0) {
            for (Iterator<long[]> it = state.values().iterator(); it.hasNext(); ) {
                if (pick - it.next()[1] > FORGET_AFTER_PICKS) {
                    it.remove();
                }
            }
        }
        return best;
    }
}
