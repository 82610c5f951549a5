package io.sluice.rpc.internal.invoke;

import java.util.concurrent.CompletableFuture;

/**
 * One step of the client call path. A filter may act before and after the rest of the chain ({@code next}), or
 * answer without calling it. It calls {@code next} at most once per attempt: a filter that tries again (the
 * cluster strategies) passes a fresh attempt from {@link Invocation#nextAttempt()}; {@link FilterChain} enforces
 * this and that nothing returns null. Implementations are stateless or thread-safe: one instance serves every call.
 */
@FunctionalInterface
public interface Filter {
    CompletableFuture<RpcResult> invoke(Invocation invocation, Invoker next);
}
