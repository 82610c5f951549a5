package io.sluice.rpc.internal.invoke;

import java.util.concurrent.CompletableFuture;

/**
 * Something that performs an invocation: the whole client call path, the remainder of a filter chain, or the
 * transport at its end. Never returns null; failures complete the future exceptionally (with a
 * {@code SluiceException}). Implementations are thread-safe: one serves every call.
 */
@FunctionalInterface
public interface Invoker {
    CompletableFuture<RpcResult> invoke(Invocation invocation);
}
