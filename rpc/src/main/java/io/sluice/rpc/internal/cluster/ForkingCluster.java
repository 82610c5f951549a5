package io.sluice.rpc.internal.cluster;

import io.sluice.remoting.SluiceException;
import io.sluice.rpc.CallOptions;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Forking ("forking"): sends the call to FORKS different providers at once (fewer if fewer are usable) and takes
 * the first answer; fails only when every fork failed, with the others as suppressed exceptions. Trades load for
 * latency; meant for reads. Stateless and thread-safe.
 */
public final class ForkingCluster implements Filter {
    private final LongSupplier nanoClock;

    public ForkingCluster(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        long nowNs = nanoClock.getAsLong();
        int usable = 0;
        for (Endpoint e : invocation.service().endpoints()) {
            if (e.usable(nowNs)) {
                usable++;
            }
        }
        int forks = Math.max(1, Math.min(invocation.options().get(CallOptions.FORKS), usable));
        if (forks == 1) {
            return next.invoke(invocation);
        }
        CompletableFuture<RpcResult> result = new CompletableFuture<>();
        AtomicInteger pending = new AtomicInteger(forks);
        List<SluiceException> failures = new ArrayList<>(forks);
        for (int i = 0; i < forks; i++) {
            Invocation fork = i == 0 ? invocation : invocation.nextAttempt();
            next.invoke(fork).whenComplete((response, error) -> {
                if (error == null) {
                    result.complete(response);
                    return;
                }
                synchronized (failures) {
                    failures.add(Failures.toSluice(error));
                }
                if (pending.decrementAndGet() == 0) {
                    result.completeExceptionally(Broadcasts.combine(failures));
                }
            });
        }
        return result;
    }
}
