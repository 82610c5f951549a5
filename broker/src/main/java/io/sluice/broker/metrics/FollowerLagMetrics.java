package io.sluice.broker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.broker.partition.ReplicaProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replication lag per follower, as this broker sees it while leading: {@code sluice.replica.follower.lag.records}
 * (the most records the follower is behind on any partition led here) and {@code sluice.replica.follower.lag.seconds}
 * (the longest time since it was last caught up on any of them), each tagged {@code follower=<broker id>}. A follower
 * not heard from since this broker took over counts as missing the whole log. Values are computed when scraped;
 * {@link #refresh()} (run periodically) adds the gauges of new followers and removes those of brokers no longer
 * following anything led here. Thread-safe; never throws.
 */
public final class FollowerLagMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerLagMetrics.class);
    private final int brokerId;
    private final PartitionManager partitions;
    private final MeterRegistry registry;
    private final Map<Integer, List<Meter>> gauges = new ConcurrentHashMap<>();

    public FollowerLagMetrics(int brokerId, PartitionManager partitions, MeterRegistry registry) {
        this.brokerId = brokerId;
        this.partitions = partitions;
        this.registry = registry;
    }

    /** Brings the set of per-follower gauges in line with the followers of the partitions led here. */
    public void refresh() {
        try {
            sync();
        } catch (RuntimeException e) {
            LOG.warn("Refreshing the follower lag gauges failed", e);
        }
    }

    private void sync() {
        Set<Integer> followers = new HashSet<>();
        for (Partition p : partitions.all()) {
            if (p.isLeader()) {
                for (int r : p.replicas()) {
                    if (r != brokerId) {
                        followers.add(r);
                    }
                }
            }
        }
        for (int f : followers) {
            gauges.computeIfAbsent(f, this::register);
        }
        gauges.keySet().removeIf(f -> {
            if (followers.contains(f)) {
                return false;
            }
            gauges.get(f).forEach(registry::remove);
            return true;
        });
    }

    private List<Meter> register(int follower) {
        String tag = Integer.toString(follower);
        return List.of(
                Gauge.builder("sluice.replica.follower.lag.records", this, m -> m.lagRecords(follower))
                        .tag("follower", tag).description("most records this follower is behind on a partition"
                                + " led here").register(registry),
                Gauge.builder("sluice.replica.follower.lag", this, m -> m.lagMs(follower) / 1000.0)
                        .tag("follower", tag).baseUnit("seconds").description("longest time since this follower"
                                + " was last caught up on a partition led here").register(registry));
    }

    private double lagRecords(int follower) {
        long max = 0;
        for (Partition p : partitions.all()) {
            if (p.isLeader() && p.replicas().contains(follower)) {
                long end = p.log().logEndOffset();
                long leo = p.progress().logEnd(follower);
                long has = leo == ReplicaProgress.UNKNOWN ? p.log().logStartOffset() : leo;
                max = Math.max(max, end - has);
            }
        }
        return max;
    }

    private double lagMs(int follower) {
        long now = System.currentTimeMillis();
        long max = 0;
        for (Partition p : partitions.all()) {
            if (p.isLeader() && p.replicas().contains(follower)) {
                max = Math.max(max, now - p.progress().lastCaughtUpMs(follower));
            }
        }
        return max;
    }
}
