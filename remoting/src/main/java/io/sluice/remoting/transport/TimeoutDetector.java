package io.sluice.remoting.transport;

import java.util.concurrent.TimeUnit;

/**
 * The plain rule: a peer heard nothing from for a fixed time is dead. Predictable on a loaded machine (a stall shorter
 * than the timeout never convicts) at the price of reacting no faster than the timeout. Not thread-safe.
 */
final class TimeoutDetector implements FailureDetector {
    private final long timeoutNs;
    private final String key;
    private long lastNs;

    /** {@code key} names the setting the timeout comes from, for log lines; {@code nowNs} counts as an arrival. */
    TimeoutDetector(long timeoutNs, String key, long nowNs) {
        this.timeoutNs = timeoutNs;
        this.key = key;
        this.lastNs = nowNs;
    }

    @Override
    public void heartbeat(long nowNs) {
        lastNs = nowNs;
    }

    @Override
    public boolean isDead(long nowNs) {
        return nowNs - lastNs >= timeoutNs;
    }

    @Override
    public String explain(long nowNs) {
        return "nothing heard for " + TimeUnit.NANOSECONDS.toMillis(nowNs - lastNs) + " ms (" + key + "="
                + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + ")";
    }
}
