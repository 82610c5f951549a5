package io.sluice.broker.log;

import net.openhft.chronicle.core.time.TimeProvider;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chronicle's time source for a segment, driven by the log's {@link Clock} so that tests control roll cycles. It
 * never goes backwards (a clock set back would otherwise make Chronicle append to an older cycle file, out of
 * offset order). Thread-safe.
 */
final class ClockTimeProvider implements TimeProvider {
    private final Clock clock;
    private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);

    ClockTimeProvider(Clock clock) {
        this.clock = clock;
    }

    /** Never report a time before {@code ms} (e.g. the start of the newest cycle already on disk). */
    void notBefore(long ms) {
        last.accumulateAndGet(ms, Math::max);
    }

    @Override
    public long currentTimeMillis() {
        return last.accumulateAndGet(clock.millis(), Math::max);
    }
}
