package io.sluice.rpc.internal.cluster;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
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
 * Broadcast ("broadcast"): calls every usable provider (e.g. to refresh a cache everywhere) and waits for all;
 * succeeds with the answer of the first provider in the list if all succeeded, else fails with the first failure
 * and the others suppressed. Stateless and thread-safe.
 */
public final class BroadcastCluster implements Filter {
    private final LongSupplier nanoClock;

    public BroadcastCluster(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        long nowNs = nanoClock.getAsLong();
        List<Endpoint> targets = new ArrayList<>();
        for (Endpoint e : invocation.service().endpoints()) {
            if (e.usable(nowNs)) {
                targets.add(e);
            }
        }
        if (targets.isEmpty()) {
            return Failures.failed(ErrorCode.NO_PROVIDER, "no usable provider of "
                    + invocation.service().serviceKey() + " to broadcast to");
        }
        int n = targets.size();
        RpcResult[] answers = new RpcResult[n];
        List<SluiceException> failures = new ArrayList<>();
        AtomicInteger pending = new AtomicInteger(n);
        CompletableFuture<RpcResult> result = new CompletableFuture<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            next.invoke(invocation.nextAttemptTo(targets.get(i))).whenComplete((response, error) -> {
                synchronized (answers) {
                    if (error == null) {
                        answers[index] = response;
                    } else {
                        failures.add(Failures.toSluice(error));
                    }
                }
                if (pending.decrementAndGet() == 0) {
                    synchronized (answers) {
                        if (failures.isEmpty()) {
                            result.complete(answers[0]);
                        } else {
                            result.completeExceptionally(Broadcasts.combine(failures));
                        }
                    }
                }
            });
        }
        return result;
    }
}
