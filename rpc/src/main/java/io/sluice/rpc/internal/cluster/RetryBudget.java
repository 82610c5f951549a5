package io.sluice.rpc.internal.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Caps retries across all calls of a client, so that retries cannot multiply the load on providers that are
 * already failing: every call deposits a fraction of a retry ({@code percent}), every retry withdraws a whole one,
 * and a small reserve refilled over time ({@code minPerSecond}) lets a quiet client still retry. The balance is
 * capped, so a long quiet period cannot save up a burst.
 *
 * <p>Thread-safe: deposits and withdrawals are lock-free; the reserve takes the object's lock (retries are rare).
 */
public final class RetryBudget {
    private static final long ONE = 1000; // balances are in thousandths of a retry

    private final long depositPerCall;
    private final long maxBalance;
    private final long minPerSecond;
    private final LongSupplier nanoClock;
    private final AtomicLong balance = new AtomicLong();
    private long reserve;
    private long lastRefillNs;

    /** {@code percent}: retries allowed per 100 calls; {@code minPerSecond}: retries always allowed per second. */
    public RetryBudget(double percent, int minPerSecond, LongSupplier nanoClock) {
        this.depositPerCall = Math.max(0, Math.round(percent / 100.0 * ONE));
        this.minPerSecond = Math.max(0, minPerSecond);
        this.maxBalance = Math.max(100, this.minPerSecond * 10L) * ONE;
        this.nanoClock = nanoClock;
        this.reserve = this.minPerSecond * ONE;
        this.lastRefillNs = nanoClock.getAsLong();
    }

    /** Called once per call. */
    public void deposit() {
        if (depositPerCall > 0 && balance.get() < maxBalance) {
            balance.addAndGet(depositPerCall);
        }
    }

    /** Takes one retry from the budget; false if it is spent. */
    public boolean tryWithdraw() {
        long b = balance.get();
        while (b >= ONE) {
            if (balance.compareAndSet(b, b - ONE)) {
                return true;
            }
            b = balance.get();
        }
        synchronized (this) {
            long now = nanoClock.getAsLong();
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(now - lastRefillNs);
            if (elapsedMs > 0) {
                reserve = Math.min(minPerSecond * ONE, reserve + elapsedMs * minPerSecond);
                lastRefillNs = now;
            }
            if (reserve >= ONE) {
                reserve -= ONE;
                return true;
            }
            return false;
        }
    }
}
