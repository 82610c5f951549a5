package io.sluice.rpc.internal.filter;

import io.sluice.remoting.ErrorCode;
import io.sluice.rpc.internal.endpoint.CircuitBreaker;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Asks the chosen endpoint's {@link CircuitBreaker} to let the attempt through (CIRCUIT_OPEN, never sent, if not)
 * and feeds it the attempt's outcome. Stateless and thread-safe; the state lives in each endpoint's breaker.
 */
public final class CircuitBreakerFilter implements Filter {
    private final LongSupplier nanoClock;

    public CircuitBreakerFilter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        Endpoint endpoint = invocation.endpoint();
        CircuitBreaker breaker = endpoint == null ? null : endpoint.breaker();
        if (breaker == null) {
            return next.invoke(invocation);
        }
        if (!breaker.tryAcquire(nanoClock.getAsLong())) {
            return Failures.failed(ErrorCode.CIRCUIT_OPEN, "circuit to " + endpoint.id() + " for "
                    + invocation.service().serviceKey() + " is open after repeated failures");
        }
        CompletableFuture<RpcResult> result = next.invoke(invocation);
        result.whenComplete((r, e) -> {
            if (e == null) {
                breaker.onSuccess();
            } else {
                breaker.onFailure(Failures.code(e), nanoClock.getAsLong());
            }
        });
        return result;
    }
}
