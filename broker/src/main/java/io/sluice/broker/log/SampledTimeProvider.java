package io.sluice.broker.log;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * Chronicle's clock for one segment: the log's monotonic time, moved forward once per append by the segment, so that
 * Chronicle enters a new roll cycle (creating a new file) only inside an append that {@link SegmentSpace} has
 * prepared for it, never at a moment of Chronicle's choosing. Never goes backwards. Thread-safe.
 */
final class SampledTimeProvider implements TimeProvider {
    private volatile long ms;

    SampledTimeProvider(long ms) {
        this.ms = ms;
    }

    /** Moves the clock to {@code value} if that is later. Called by one thread at a time (the append lock). */
    void advanceTo(long value) {
        if (value > ms) {
            ms = value;
        }
    }

    @Override
    public long currentTimeMillis() {
        return ms;
    }
}
