package io.sluice.rpc.internal.loadbalance;

import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Invocation;

import java.util.List;

/**
 * Chooses the endpoint of one attempt among the candidates (usable endpoints not yet tried by the call, never
 * empty). Implementations are thread-safe; stateful ones (round robin, consistent hash) are created per service.
 */
public interface LoadBalancer {
    Endpoint select(List<Endpoint> candidates, Invocation invocation);

    /** The random draws of a balancer, injectable so tests can state exact expectations. */
    @FunctionalInterface
    interface RandomSource {
        /** A uniform int in [0, bound). */
        int nextInt(int bound);
    }
}
