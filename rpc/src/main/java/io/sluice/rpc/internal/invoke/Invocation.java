package io.sluice.rpc.internal.invoke;

import io.sluice.rpc.CallOptions;
import io.sluice.rpc.internal.endpoint.Endpoint;

/**
 * One attempt of one call on its way down the filter chain: the service and method, the arguments, the options,
 * the state shared by all attempts of the call, and what the attempt has picked up on the way (the endpoint the
 * balancer chose, or one a cluster strategy pinned; whether the request left this process).
 *
 * <p>The first attempt has number 0; {@link #nextAttempt()} makes the next one for retries and forks. An attempt
 * is handled by one filter at a time: its mutable fields are volatile and published through the futures of the
 * chain. Thread-safe in that sense; the attempts of one call share a thread-safe {@link CallState}.
 */
public final class Invocation {
    private final ServiceRef service;
    private final MethodDescriptor method;
    private final Object[] args;
    private final CallOptions options;
    private final CallState call;
    private final int attempt;
    private final Endpoint pinned;
    private volatile Endpoint endpoint;
    private volatile boolean sent;

    public Invocation(ServiceRef service, MethodDescriptor method, Object[] args, CallOptions options, long nowNs) {
        this(service, method, args, options, new CallState(nowNs), 0, null);
    }

    private Invocation(ServiceRef service, MethodDescriptor method, Object[] args, CallOptions options,
                       CallState call, int attempt, Endpoint pinned) {
        this.service = service;
        this.method = method;
        this.args = args;
        this.options = options;
        this.call = call;
        this.attempt = attempt;
        this.pinned = pinned;
    }

    /** A new attempt of the same call. */
    public Invocation nextAttempt() {
        return new Invocation(service, method, args, options, call, call.nextAttemptNumber(), null);
    }

    /** A new attempt of the same call that must go to {@code target} (broadcast). */
    public Invocation nextAttemptTo(Endpoint target) {
        return new Invocation(service, method, args, options, call, call.nextAttemptNumber(), target);
    }

    public ServiceRef service() {
        return service;
    }

    public MethodDescriptor method() {
        return method;
    }

    public Object[] args() {
        return args;
    }

    public CallOptions options() {
        return options;
    }

    public CallState call() {
        return call;
    }

    public int attempt() {
        return attempt;
    }

    /** The endpoint this attempt must use, or null to let the balancer choose. */
    public Endpoint pinned() {
        return pinned;
    }

    /** The endpoint chosen for this attempt (null before the balancer ran). */
    public Endpoint endpoint() {
        return endpoint;
    }

    public void endpoint(Endpoint chosen) {
        this.endpoint = chosen;
    }

    /** True once the request was handed to a connection: it may have reached the provider. */
    public boolean sent() {
        return sent;
    }

    public void markSent() {
        this.sent = true;
    }

    @Override
    public String toString() {
        return (service == null ? "?" : service.serviceKey()) + "#" + (method == null ? "?" : method.name())
                + " attempt " + attempt + (endpoint == null ? "" : " -> " + endpoint.id());
    }
}
