package io.sluice.rpc.internal.cluster;

import io.sluice.rpc.internal.invoke.Failures;
import io.sluice.rpc.internal.invoke.Filter;
import io.sluice.rpc.internal.invoke.Invocation;
import io.sluice.rpc.internal.invoke.Invoker;
import io.sluice.rpc.internal.invoke.RpcResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/**
 * Failsafe ("failsafe"): one attempt; a failure is logged and the call returns the method's default value
 * (null, zero or false). For calls whose result does not matter, such as audit logging. Stateless and
 * thread-safe.
 */
public final class FailsafeCluster implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(FailsafeCluster.class);

    @Override
    public CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next) {
        return next.invoke(invocation).handle((response, error) -> {
            if (error == null) {
                return response;
            }
            LOG.warn("failsafe call {} failed, returning the default value: {}", invocation,
                    Failures.toSluice(error).toString());
            return new RpcResult(invocation.method().defaultResult(), null);
        });
    }
}
