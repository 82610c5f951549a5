package io.sluice.broker.log;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand, so that Chronicle roll cycles and segment.ms pass without sleeping. Thread-safe. */
final class MutableClock extends Clock {
    private final AtomicLong millis;

    MutableClock(long startMs) {
        this.millis = new AtomicLong(startMs);
    }

    void advance(long ms) {
        millis.addAndGet(ms);
    }

    void set(long ms) {
        millis.set(ms);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }
}
