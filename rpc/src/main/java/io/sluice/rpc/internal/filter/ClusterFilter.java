package io.sluice.rpc.internal.filter;

import io.sluice.remoting.ErrorCode;
import io.sluice.rpc.CallOptions;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Hands the call to the cluster strategy its CLUSTER option names (failover, failfast, failsafe, forking,
 * broadcast). Strategies are filters that may start several attempts, each going through the rest of the chain
 * (balancer, breaker, transport) on its own. Immutable and thread-safe.
 */
public final class ClusterFilter implements Filter {
    private final Map<String, Filter> strategies;

    public ClusterFilter(Map<String, Filter> strategies) {
        this.strategies = Map.copyOf(strategies);
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        String name = invocation.options().get(CallOptions.CLUSTER);
        Filter strategy = strategies.get(name);
        if (strategy == null) {
            return Failures.failed(ErrorCode.INVALID_CONFIG, "unknown cluster mode '" + name + "': use one of "
                    + strategies.keySet());
        }
        return strategy.invoke(invocation, next);
    }
}
