package io.sluice.rpc.internal.endpoint;

import io.sluice.remoting.ErrorCode;

/**
 * The circuit breaker of one provider endpoint: an explicit state machine driven by call outcomes and by time.
 *
 * <pre>
 *   CLOSED --(failureThreshold consecutive failures)--> OPEN
 *   OPEN   --(onTimeEvent: open period over)-----------> HALF_OPEN   (one probe call allowed)
 *   HALF_OPEN --(probe succeeds)--> CLOSED               (open period back to its base)
 *   HALF_OPEN --(probe fails)-----> OPEN                 (open period doubled, up to the maximum)
 * </pre>
 * Only failures that say something about the provider's health count ({@link #countsAsFailure}): network
 * errors, timeouts, busy and in-flight limits, unknown errors; a business exception from the method does not.
 *
 * <p>Thread-safe. The closed state's fast path ({@link #tryAcquire} and {@link #onSuccess} with no failures
 * pending) touches only volatile fields; transitions take the object's lock.
 */
public final class CircuitBreaker {
    /** The breaker's states. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** Told of every transition; must be fast and never throw. */
    public interface Listener {
        void onStateChange(State from, State to);
    }

    private final int failureThreshold;
    private final long baseOpenNs;
    private final long maxOpenNs;
    private final Listener listener;
    private volatile State state = State.CLOSED;
    private volatile int consecutiveFailures;
    private long openUntilNs;
    private long openNs;
    private boolean probeInFlight;

    public CircuitBreaker(int failureThreshold, long baseOpenNs, long maxOpenNs, Listener listener) {
        this.failureThreshold = failureThreshold;
        this.baseOpenNs = baseOpenNs;
        this.maxOpenNs = Math.max(baseOpenNs, maxOpenNs);
        this.openNs = baseOpenNs;
        this.listener = listener;
    }

    public State state() {
        return state;
    }

    /** Moves OPEN to HALF_OPEN once the open period is over. */
    public void onTimeEvent(long nowNs) {
        if (state != State.OPEN) {
            return;
        }
        synchronized (this) {
            if (state == State.OPEN && nowNs - openUntilNs >= 0) {
                probeInFlight = false;
                transition(State.HALF_OPEN);
            }
        }
    }

    /** True if a call would be let through now (without taking the half-open probe). */
    public boolean permits(long nowNs) {
        if (state == State.CLOSED) {
            return true;
        }
        onTimeEvent(nowNs);
        synchronized (this) {
            return state == State.CLOSED || (state == State.HALF_OPEN && !probeInFlight);
        }
    }

    /** Lets a call through (taking the probe slot when half-open) or refuses it. */
    public boolean tryAcquire(long nowNs) {
        if (state == State.CLOSED) {
            return true;
        }
        onTimeEvent(nowNs);
        synchronized (this) {
            if (state == State.CLOSED) {
                return true;
            }
            if (state == State.HALF_OPEN && !probeInFlight) {
                probeInFlight = true;
                return true;
            }
            return false;
        }
    }

    public void onSuccess() {
        if (state == State.CLOSED) {
            if (consecutiveFailures != 0) {
                consecutiveFailures = 0;
            }
            return;
        }
        synchronized (this) {
            consecutiveFailures = 0;
            if (state == State.HALF_OPEN) {
                probeInFlight = false;
                openNs = baseOpenNs;
                transition(State.CLOSED);
            }
        }
    }

    /** Records an outcome that is not a success; only health failures count. */
    public void onFailure(ErrorCode code, long nowNs) {
        if (!countsAsFailure(code)) {
            onSuccess();
            return;
        }
        synchronized (this) {
            switch (state) {
                case CLOSED -> {
                    if (++consecutiveFailures >= failureThreshold) {
                        open(nowNs, baseOpenNs);
                    }
                }
                case HALF_OPEN -> open(nowNs, Math.min(maxOpenNs, openNs * 2));
                case OPEN -> { }
            }
        }
    }

    /** Failures that say the provider is unhealthy, as opposed to a refusal of this particular call. */
    public static boolean countsAsFailure(ErrorCode code) {
        return switch (code) {
            case NETWORK_ERROR, REQUEST_TIMED_OUT, PROVIDER_BUSY, TOO_MANY_IN_FLIGHT, UNKNOWN -> true;
            default -> false;
        };
    }

    private void open(long nowNs, long periodNs) {
        openNs = periodNs;
        openUntilNs = nowNs + periodNs;
        probeInFlight = false;
        consecutiveFailures = 0;
        transition(State.OPEN);
    }

    private void transition(State to) {
        State from = state;
        if (from == to) {
            return;
        }
        state = to;
        if (listener != null) {
            listener.onStateChange(from, to);
        }
    }

    @Override
    public String toString() {
        return state.name();
    }
}
