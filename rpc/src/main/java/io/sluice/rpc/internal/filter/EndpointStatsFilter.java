package io.sluice.rpc.internal.filter;

import io.sluice.remoting.ErrorCode;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Counts the attempt in the endpoint's in-flight number and latency average (the inputs of the least-active and
 * latency-aware balancers), marks the endpoint draining when the provider says it is shutting down, and reports
 * the attempt per provider to the listener. Stateless and thread-safe.
 */
public final class EndpointStatsFilter implements Filter {
    private final RpcEventListener listener;
    private final LongSupplier nanoClock;

    public EndpointStatsFilter(RpcEventListener listener, LongSupplier nanoClock) {
        this.listener = listener;
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        Endpoint endpoint = invocation.endpoint();
        long startNs = nanoClock.getAsLong();
        endpoint.onAttemptStart();
        CompletableFuture<RpcResult> result = next.invoke(invocation);
        result.whenComplete((r, e) -> {
            long nowNs = nanoClock.getAsLong();
            long durationNs = nowNs - startNs;
            endpoint.onAttemptEnd(durationNs, nowNs);
            ErrorCode code = e == null ? ErrorCode.NONE : Failures.code(e);
            if (code == ErrorCode.PROVIDER_SHUTTING_DOWN) {
                endpoint.markDraining();
            }
            listener.attemptEnd(invocation.service().serviceKey(), invocation.method().name(), endpoint.address(),
                    code, durationNs);
        });
        return result;
    }
}
