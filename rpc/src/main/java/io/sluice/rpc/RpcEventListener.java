package io.sluice.rpc;

import io.sluice.remoting.ErrorCode;

import java.net.InetSocketAddress;

/**
 * Events of the RPC client and server, for metrics and tracing. Callbacks run on the threads that make the calls
 * (including I/O threads): they must be fast, take no locks held elsewhere and never throw. Every method has an
 * empty default. Sluice binds Micrometer to these events when a {@code MeterRegistry} is given to the client or
 * server builder.
 *
 * <p>Pairs: {@code callStart}/{@code callEnd} once per logical call (all retries inside), {@code attemptEnd} once
 * per attempt on a provider, {@code serverCallStart}/{@code serverCallEnd} once per call a provider executes.
 */
public interface RpcEventListener {
    RpcEventListener NONE = new RpcEventListener() {
    };

    default void callStart(String service, String method) {
    }

    /** {@code code} is {@link ErrorCode#NONE} on success. */
    default void callEnd(String service, String method, ErrorCode code, long durationNs) {
    }

    /** One attempt on one provider ended; {@code provider} is null if no provider was chosen. */
    default void attemptEnd(String service, String method, InetSocketAddress provider, ErrorCode code,
                            long durationNs) {
    }

    /** The failover strategy decided whether to retry after attempt {@code attempt} failed with {@code cause}. */
    default void retryDecision(String service, String method, int attempt, ErrorCode cause, boolean retry,
                               String reason) {
    }

    default void circuitStateChanged(String service, InetSocketAddress provider, String from, String to) {
    }

    default void providersChanged(String service, int providers) {
    }

    default void serverCallStart(String service, String method) {
    }

    default void serverCallEnd(String service, String method, ErrorCode code, long durationNs) {
    }

    /** A request the provider refused before running it (busy, shutting down, unknown service...). */
    default void serverCallRejected(String service, ErrorCode code) {
    }

    /** A listener that forwards every event to {@code a} then {@code b}. */
    static RpcEventListener both(RpcEventListener a, RpcEventListener b) {
        if (a == NONE) {
            return b;
        }
        if (b == NONE) {
            return a;
        }
        return new RpcEventListener() {
            @Override
            public void callStart(String service, String method) {
                a.callStart(service, method);
                b.callStart(service, method);
            }

            @Override
            public void callEnd(String service, String method, ErrorCode code, long durationNs) {
                a.callEnd(service, method, code, durationNs);
                b.callEnd(service, method, code, durationNs);
            }

            @Override
            public void attemptEnd(String service, String method, InetSocketAddress provider, ErrorCode code,
                                   long durationNs) {
                a.attemptEnd(service, method, provider, code, durationNs);
                b.attemptEnd(service, method, provider, code, durationNs);
            }

            @Override
            public void retryDecision(String service, String method, int attempt, ErrorCode cause, boolean retry,
                                      String reason) {
                a.retryDecision(service, method, attempt, cause, retry, reason);
                b.retryDecision(service, method, attempt, cause, retry, reason);
            }

            @Override
            public void circuitStateChanged(String service, InetSocketAddress provider, String from, String to) {
                a.circuitStateChanged(service, provider, from, to);
                b.circuitStateChanged(service, provider, from, to);
            }

            @Override
            public void providersChanged(String service, int providers) {
                a.providersChanged(service, providers);
                b.providersChanged(service, providers);
            }

            @Override
            public void serverCallStart(String service, String method) {
                a.serverCallStart(service, method);
                b.serverCallStart(service, method);
            }

            @Override
            public void serverCallEnd(String service, String method, ErrorCode code, long durationNs) {
                a.serverCallEnd(service, method, code, durationNs);
                b.serverCallEnd(service, method, code, durationNs);
            }

            @Override
            public void serverCallRejected(String service, ErrorCode code) {
                a.serverCallRejected(service, code);
                b.serverCallRejected(service, code);
            }
        };
    }
}
