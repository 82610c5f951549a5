package io.sluice.rpc.internal.provider;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The life of a provider process's registration, as an explicit state machine.
 *
 * <pre>
 *   STARTING --server bound--> SELF_CHECK --own call answered--> REGISTERED (ready, in the registry)
 *   REGISTERED --beginShutdown--> DRAINING   (deregistered; still serving while consumers learn it)
 *   DRAINING  --onTimeEvent: grace over--> REJECTING (new calls get PROVIDER_SHUTTING_DOWN)
 *   REJECTING --onTimeEvent: no call in flight, or the shutdown limit passed--> CLOSED
 * </pre>
 * Providers register only once they passed SELF_CHECK, so consumers never see a provider that cannot serve. Calls
 * are counted in flight from acceptance to answer; {@link #onTimeEvent} is driven by the closing thread.
 *
 * <p>Thread-safe: the state is volatile and moves forward under the object's lock; the counter is atomic.
 */
public final class ProviderLifecycle {
    /** The provider's states, in order. */
    public enum State { STARTING, SELF_CHECK, REGISTERED, DRAINING, REJECTING, CLOSED }

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile State state = State.STARTING;
    private long graceEndsNs;
    private long deadlineNs;

    public State state() {
        return state;
    }

    /** True while new calls are accepted. */
    public boolean accepting() {
        State s = state;
        return s == State.SELF_CHECK || s == State.REGISTERED || s == State.DRAINING;
    }

    public synchronized void selfCheck() {
        advance(State.STARTING, State.SELF_CHECK);
    }

    public synchronized void registered() {
        advance(State.SELF_CHECK, State.REGISTERED);
    }

    /** Starts the shutdown: the caller deregisters, then drives {@link #onTimeEvent} until CLOSED. */
    public synchronized void beginShutdown(long nowNs, long graceNs, long shutdownTimeoutNs) {
        if (state.ordinal() >= State.DRAINING.ordinal()) {
            return;
        }
        graceEndsNs = nowNs + graceNs;
        deadlineNs = nowNs + graceNs + shutdownTimeoutNs;
        state = State.DRAINING;
    }

    /** Moves DRAINING and REJECTING forward; returns the state after the step. */
    public synchronized State onTimeEvent(long nowNs) {
        if (state == State.DRAINING && nowNs - graceEndsNs >= 0) {
            state = State.REJECTING;
        }
        if (state == State.REJECTING && (inFlight.get() == 0 || nowNs - deadlineNs >= 0)) {
            state = State.CLOSED;
        }
        return state;
    }

    /** Forces CLOSED (start failed, or closing without a registry). */
    public synchronized void closed() {
        state = State.CLOSED;
    }

    public void callAccepted() {
        inFlight.incrementAndGet();
    }

    public void callDone() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    private void advance(State from, State to) {
        if (state != from) {
            throw new IllegalStateException("provider is " + state + ", cannot move to " + to);
        }
        state = to;
    }
}
