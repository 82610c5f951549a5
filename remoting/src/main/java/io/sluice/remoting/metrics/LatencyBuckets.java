package io.sluice.remoting.metrics;

import java.time.Duration;

/**
 * The bucket bounds Sluice's latency timers export (Micrometer service-level objectives): 100 us to 60 s, about 2.5x
 * apart, 18 buckets. Fixed and few, rather than the ~70 of a percentile histogram per timer, so that a scrape stays
 * small (an idle standalone's was 769 KB, 5,145 lines of buckets) while p50/p99 stay readable within a bucket.
 */
public final class LatencyBuckets {
    private static final Duration[] BOUNDS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private LatencyBuckets() {
    }

    /** The bounds (a copy), for {@code Timer.Builder.serviceLevelObjectives}. */
    public static Duration[] bounds() {
        return BOUNDS.clone();
    }
}
