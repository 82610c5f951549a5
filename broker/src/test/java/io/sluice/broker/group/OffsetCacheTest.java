package io.sluice.broker.group;

import io.sluice.remoting.TopicNames;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.broker.log.LogConfig;
import io.sluice.broker.log.PartitionLog;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionListener;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Committed offsets on a real partition log of the (uncompacted) offsets topic whose old segments time retention
 * deletes: an offset nobody commits again is written again before retention reaches its record, so a coordinator
 * that rebuilds its cache from the retained log still finds it.
 */
class OffsetCacheTest {
    private static final long HOUR = 3_600_000L;
    private static final TopicPart TP = new TopicPart("orders", 0);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private PartitionLog log;
    private Partition partition;

    /** A clock the test moves. */
    private static final class ManualClock extends Clock {
        private long ms;

        ManualClock(long ms) {
            this.ms = ms;
        }

        void advance(long by) {
            ms += by;
        }

        @Override
        public long millis() {
            return ms;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(ms);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void lead() {
        log = PartitionLog.open(dir.resolve(TopicNames.OFFSETS_TOPIC + "-0"),
                LogConfig.defaults().retentionMs(4 * HOUR), clock);
        partition = new Partition(TopicNames.OFFSETS_TOPIC, 0, 1, log, PartitionListener.NOOP);
        partition.applyState(1, 1, List.of(1), List.of(1), 0, 1);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private void commit(OffsetCache cache, String group, long offset) {
        long last = cache.append(group, Map.of(TP, offset), clock.millis());
        assertThat(log.highWatermark()).as("a single replica has it at once").isGreaterThan(last);
        cache.applyReplicated(group, Map.of(TP, offset), clock.millis(), last);
        cache.commitDone(group);
    }

    @Test
    void anOffsetNobodyCommitsAgainOutlivesTheRetentionOfItsFirstRecord() {
        long t0 = clock.millis();
        OffsetCache cache = OffsetCache.load(partition);
        commit(cache, "idle", 5);
        log.roll();
        clock.advance(3 * HOUR);
        commit(cache, "busy", 9);

        assertThat(cache.rewriteOlderThan(clock.millis() - 2 * HOUR, clock.millis()))
                .as("only the idle group's offset is half the retention old").isEqualTo(1);
        log.roll();
        clock.advance(2 * HOUR);
        assertThat(log.deleteExpiredSegments(clock.millis())).as("the segment with the first record").isEqualTo(1);

        OffsetCache rebuilt = OffsetCache.load(partition);
        assertThat(rebuilt.offsets("idle").get(TP)[0]).isEqualTo(5);
        assertThat(rebuilt.offsets("idle").get(TP)[1]).as("the commit time stays that of the commit").isEqualTo(t0);
        assertThat(rebuilt.offsets("busy").get(TP)[0]).isEqualTo(9);
    }

    @Test
    void anOffsetWithACommitInFlightIsNotWrittenAgainOverIt() {
        OffsetCache cache = OffsetCache.load(partition);
        commit(cache, "g", 5);
        clock.advance(3 * HOUR);
        long last = cache.append("g", Map.of(TP, 6L), clock.millis());

        assertThat(cache.rewriteOlderThan(clock.millis() - 2 * HOUR, clock.millis())).isZero();
        cache.applyReplicated("g", Map.of(TP, 6L), clock.millis(), last);
        cache.commitDone("g");
        assertThat(cache.offsets("g").get(TP)[0]).isEqualTo(6);
        assertThat(OffsetCache.load(partition).offsets("g").get(TP)[0]).as("the newest record is the commit")
                .isEqualTo(6);
    }
}
