package io.sluice.broker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.broker.log.LogConfig;
import io.sluice.broker.log.LogManager;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionAssignment;
import io.sluice.broker.partition.PartitionListener;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.record.RecordBatchBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Per-follower lag gauges of a leader, on real partition logs. */
class FollowerLagMetricsTest {
    @TempDir
    Path dir;

    private LogManager logs;
    private PartitionManager partitions;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private FollowerLagMetrics metrics;

    @BeforeEach
    void lead() {
        logs = new LogManager(dir, LogConfig.defaults(), Clock.systemUTC());
        partitions = new PartitionManager(1, logs, LogConfig.defaults(), PartitionListener.NOOP);
        assign(1, 0);
        metrics = new FollowerLagMetrics(1, partitions, registry);
    }

    @AfterEach
    void close() {
        partitions.close();
        logs.close();
    }

    private void assign(int leader, int epoch) {
        partitions.applyTopic("t", "", Map.of(), List.of(
                new PartitionAssignment(0, List.of(1, 2, 3), leader, epoch, List.of(1, 2, 3), epoch),
                new PartitionAssignment(1, List.of(1, 2), leader, epoch, List.of(1, 2), epoch)));
    }

    private void append(Partition p, int records) {
        ByteBuf buf = Unpooled.buffer();
        try {
            RecordBatchBuilder builder = new RecordBatchBuilder(buf, System.currentTimeMillis());
            for (int i = 0; i < records; i++) {
                builder.append(System.currentTimeMillis(), null, new byte[] {(byte) i});
            }
            builder.close();
            p.appendAsLeader(buf);
        } finally {
            buf.release();
        }
    }

    private double gauge(String name, int follower) {
        Gauge g = registry.find(name).tag("follower", Integer.toString(follower)).gauge();
        assertThat(g).as("%s{follower=%d}", name, follower).isNotNull();
        return g.value();
    }

    @Test
    void eachFollowerReportsItsLargestLagInRecordsAndTimeAcrossThePartitionsLedHere() {
        metrics.refresh();
        Partition p0 = partitions.partition("t", 0);
        Partition p1 = partitions.partition("t", 1);
        append(p0, 10);
        append(p1, 4);
        long now = System.currentTimeMillis();
        p0.followerFetched(2, 10, now);
        p1.followerFetched(2, 1, now);
        p0.followerFetched(3, 10, now - 5_000); // caught up five seconds ago

        assertThat(gauge("sluice.replica.follower.lag.records", 2)).as("3 behind on partition 1").isEqualTo(3);
        assertThat(gauge("sluice.replica.follower.lag.records", 3)).isZero();
        assertThat(gauge("sluice.replica.follower.lag", 3)).isCloseTo(5.0, within(1.0));

        append(p0, 6);
        assertThat(gauge("sluice.replica.follower.lag.records", 3)).isEqualTo(6);
    }

    @Test
    void aFollowerNotHeardFromCountsAsMissingTheWholeLog() {
        metrics.refresh();
        append(partitions.partition("t", 0), 7);
        assertThat(gauge("sluice.replica.follower.lag.records", 3)).isEqualTo(7);
    }

    @Test
    void gaugesGoWhenThisBrokerNoLongerLeads() {
        metrics.refresh();
        assertThat(registry.find("sluice.replica.follower.lag.records").gauges()).hasSize(2);
        assign(2, 1);
        metrics.refresh();
        assertThat(registry.find("sluice.replica.follower.lag.records").gauges()).isEmpty();
        assertThat(registry.find("sluice.replica.follower.lag").gauges()).isEmpty();
    }
}
