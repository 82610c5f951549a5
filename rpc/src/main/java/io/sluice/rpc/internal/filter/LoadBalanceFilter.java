package io.sluice.rpc.internal.filter;

import io.sluice.remoting.ErrorCode;
import io.sluice.rpc.CallOptions;
import io.sluice.rpc.internal.endpoint.Endpoint;
import io.sluice.rpc.internal.invoke.CallState;
import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Chooses the endpoint of an attempt: the one a cluster strategy pinned, or the balancer's pick among the usable
 * endpoints (connection not backing off, not draining, circuit letting calls through) that this call has not tried
 * yet; once every usable endpoint was tried, any usable one. Fails with NO_PROVIDER, never sent, when there is
 * none. Stateless and thread-safe.
 */
public final class LoadBalanceFilter implements Filter {
    private final LongSupplier nanoClock;

    public LoadBalanceFilter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        Endpoint chosen = invocation.pinned();
        if (chosen == null) {
            List<Endpoint> all = invocation.service().endpoints();
            if (all.isEmpty()) {
                return Failures.failed(ErrorCode.NO_PROVIDER, "no provider of " + invocation.service().serviceKey()
                        + " is known: none registered (or the direct address list is empty)"
                        + invocation.service().directory().absentHint());
            }
            List<Endpoint> candidates = candidates(all, invocation.call(), nanoClock.getAsLong());
            if (candidates.isEmpty()) {
                return Failures.failed(ErrorCode.NO_PROVIDER, "none of the " + all.size() + " providers of "
                        + invocation.service().serviceKey() + " is usable now: " + all);
            }
            chosen = invocation.service().balancer(invocation.options().get(CallOptions.LOAD_BALANCER))
                    .select(candidates, invocation);
        }
        invocation.endpoint(chosen);
        invocation.call().tried(chosen);
        return next.invoke(invocation);
    }

    static List<Endpoint> candidates(List<Endpoint> all, CallState call, long nowNs) {
        boolean anyTried = call.triedCount() > 0;
        List<Endpoint> usable = new ArrayList<>(all.size());
        List<Endpoint> fresh = anyTried ? new ArrayList<>(all.size()) : usable;
        for (int i = 0, n = all.size(); i < n; i++) {
            Endpoint e = all.get(i);
            if (e.usable(nowNs)) {
                if (anyTried) {
                    usable.add(e);
                    if (!call.wasTried(e)) {
                        fresh.add(e);
                    }
                } else {
                    usable.add(e);
                }
            }
        }
        return fresh.isEmpty() ? usable : fresh;
    }
}
