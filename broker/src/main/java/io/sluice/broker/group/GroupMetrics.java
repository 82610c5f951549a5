package io.sluice.broker.group;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.remoting.metrics.LatencyBuckets;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Meters of one broker's group coordinator: groups and members coordinated here, rebalances completed by those
 * groups, committed-offset writes (count and latency until the in-sync replicas have them,
 * {@code sluice.group.commit}), and the lag of each group on each partition whose log this broker holds
 * ({@code sluice.group.lag}: high watermark minus committed offset, refreshed by {@link #refreshLag}). Thread-safe.
 */
final class GroupMetrics {
    private final Timer commits;
    private final MultiGauge lag;

    /** The lag of {@code group} on {@code partition}, in records. */
    record Lag(String group, TopicPart partition, long records) {
    }

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
                .serviceLevelObjectives(LatencyBuckets.bounds()).register(r);
        lag = MultiGauge.builder("sluice.group.lag").baseUnit("records")
                .description("records of a partition after a group's committed offset (high watermark - committed),"
                        + " for the groups coordinated here and the partitions this broker holds")
                .register(r);
    }

    /** Replaces every lag gauge by {@code rows} (gauges of groups or partitions not in them go away). */
    void refreshLag(List<Lag> rows) {
        List<MultiGauge.Row<?>> gauges = new ArrayList<>(rows.size());
        for (Lag l : rows) {
            gauges.add(MultiGauge.Row.of(Tags.of("group", l.group(), "topic", l.partition().topic(), "partition",
                    Integer.toString(l.partition().partition())), l.records()));
        }
        lag.register(gauges, true);
    }

    void onCommit(long nanos) {
        commits.record(nanos, TimeUnit.NANOSECONDS);
    }
}
