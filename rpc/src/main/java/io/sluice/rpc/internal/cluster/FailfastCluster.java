package io.sluice.rpc.internal.cluster;

import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;

import java.util.concurrent.CompletableFuture;

/** Failfast ("failfast"): one attempt; its failure is the call's. Stateless and thread-safe. */
public final class FailfastCluster implements Filter {
    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        return next.invoke(invocation);
    }
}
