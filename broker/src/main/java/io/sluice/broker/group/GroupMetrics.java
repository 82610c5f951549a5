package io.sluice.broker.group;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Meters of one broker's group coordinator: groups and members coordinated here, rebalances completed by those
 * groups, and committed-offset writes (count and latency, {@code sluice.group.commit}). Thread-safe.
 */
final class GroupMetrics {
    private final Timer commits;

    /** {@code registry} may be null (meters are then kept but not exported). */
    GroupMetrics(MeterRegistry registry, Map<String, ConsumerGroup> groups) {
        MeterRegistry r = registry != null ? registry : new SimpleMeterRegistry();
        Gauge.builder("sluice.group.count", groups, Map::size)
                .description("consumer groups this broker coordinates").register(r);
        Gauge.builder("sluice.group.members", groups, g -> g.values().stream()
                        .mapToInt(ConsumerGroup::memberCount).sum())
                .description("members of the groups this broker coordinates").register(r);
        Gauge.builder("sluice.group.rebalances", groups, g -> g.values().stream()
                        .mapToLong(ConsumerGroup::rebalances).sum())
                .description("rebalances completed by the groups this broker coordinates now").register(r);
        commits = Timer.builder("sluice.group.commit").description("offset commits written to the offsets topic")
                .publishPercentileHistogram().register(r);
    }

    void onCommit(long nanos) {
        commits.record(nanos, TimeUnit.NANOSECONDS);
    }
}
