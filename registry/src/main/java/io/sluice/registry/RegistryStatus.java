package io.sluice.registry;

/**
 * The state of a {@link RegistryClient}'s connection to ZooKeeper and since when it holds, for operators
 * ({@code bin/sluice cluster}) and for failing fast while the registry is away.
 *
 * @param state         the connection's state
 * @param sinceMs       wall-clock time (epoch ms) of the change into {@code state}
 * @param connectString the ensemble the client talks to
 */
public record RegistryStatus(State state, long sinceMs, String connectString) {
    /** What the client can rely on in each state. */
    public enum State {
        /** Connected: reads are current, writes go through, ephemeral registrations stand. */
        CONNECTED,
        /**
         * The connection dropped; the session may still live at the server until its timeout. Nothing read from the
         * registry is current, writes wait or fail, elections and leadership are suspended.
         */
        SUSPENDED,
        /** The session is gone (expired, or given up after the session timeout); reconnecting with a new one. */
        LOST
    }

    /** True while connected. */
    public boolean connected() {
        return state == State.CONNECTED;
    }

    /** Milliseconds spent in the current state as of {@code nowMs} (never negative). */
    public long forMs(long nowMs) {
        return Math.max(0, nowMs - sinceMs);
    }
}
