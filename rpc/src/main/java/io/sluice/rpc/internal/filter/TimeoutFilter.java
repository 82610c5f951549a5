package io.sluice.rpc.internal.filter;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.internal.invoke.CallState;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Gives the call its deadline (the TIMEOUT option, counted from the call's start, retries included) and ends it
 * with REQUEST_TIMED_OUT when the deadline passes, whatever the layers below are doing. Attempts below see the
 * deadline in the {@link CallState} and send only the time left; an answer that arrives after the deadline finds
 * the call already completed and is dropped. Stateless and thread-safe (one shared timer wheel).
 */
public final class TimeoutFilter implements Filter {
    private final Timer timer;
    private final LongSupplier nanoClock;

    public TimeoutFilter(Timer timer, LongSupplier nanoClock) {
        this.timer = timer;
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        long timeoutNs = invocation.options().timeout().toNanos();
        CallState call = invocation.call();
        call.deadlineNs(call.startNs() + timeoutNs);
        CompletableFuture<RpcResult> inner = next.invoke(invocation);
        if (inner.isDone()) {
            return inner;
        }
        CompletableFuture<RpcResult> result = new CompletableFuture<>();
        long remainingNs = Math.max(1, call.remainingNs(nanoClock.getAsLong()));
        Timeout timeout = timer.newTimeout(t -> result.completeExceptionally(new SluiceException(
                ErrorCode.REQUEST_TIMED_OUT, "no answer from " + invocation.service().serviceKey() + "#"
                + invocation.method().name() + " within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms"
                + (call.retries() > 0 ? " (" + (call.retries() + 1) + " attempts)" : ""))),
                remainingNs, TimeUnit.NANOSECONDS);
        inner.whenComplete((r, e) -> {
            timeout.cancel();
            if (e != null) {
                result.completeExceptionally(Failures.unwrap(e));
            } else {
                result.complete(r);
            }
        });
        return result;
    }
}
