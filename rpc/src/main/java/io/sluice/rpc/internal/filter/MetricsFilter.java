package io.sluice.rpc.internal.filter;

import io.sluice.remoting.ErrorCode;
import io.sluice.rpc.RpcEventListener;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Reports each logical call (retries and timeout included) to the {@link RpcEventListener}: start, then end with
 * its outcome code and duration. Stateless and thread-safe.
 */
public final class MetricsFilter implements Filter {
    private final RpcEventListener listener;
    private final LongSupplier nanoClock;

    public MetricsFilter(RpcEventListener listener, LongSupplier nanoClock) {
        this.listener = listener;
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        String service = invocation.service().serviceKey();
        String method = invocation.method().name();
        long startNs = nanoClock.getAsLong();
        listener.callStart(service, method);
        CompletableFuture<RpcResult> result = next.invoke(invocation);
        result.whenComplete((r, e) -> listener.callEnd(service, method,
                e == null ? ErrorCode.NONE : Failures.code(e), nanoClock.getAsLong() - startNs));
        return result;
    }
}
