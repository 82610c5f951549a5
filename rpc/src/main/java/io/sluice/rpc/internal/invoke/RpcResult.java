package io.sluice.rpc.internal.invoke;

import io.sluice.rpc.internal.endpoint.Endpoint;

/**
 * The successful outcome of an invocation: the returned value (null for void and oneway calls) and the endpoint
 * that produced it (null when no provider was involved, e.g. a failsafe default). Failures are not responses: they
 * complete the invocation's future exceptionally. Immutable.
 */
public record RpcResult(Object value, Endpoint endpoint) {
}
