package io.sluice.broker.log;

import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogRetentionTest {
    private static final long HOUR = 3_600_000L;

    @TempDir
    Path root;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final List<PartitionLog> opened = new ArrayList<>();

    private PartitionLog open(LogConfig config) {
        PartitionLog log = PartitionLog.open(root.resolve("t-0"), config, clock);
        opened.add(log);
        return log;
    }

    @AfterEach
    void closeLogs() {
        for (PartitionLog l : opened) {
            l.close();
        }
    }

    /** Appends {@code segments} segments of 3 batches each, one hour apart; record timestamps follow the clock. */
    private void fillSegments(PartitionLog log, int segments) {
        for (int s = 0; s < segments; s++) {
            for (int b = 0; b < 3; b++) {
                long base = log.logEndOffset();
                PartitionLogTest.append(log, clock.millis(), "v" + base, "v" + (base + 1));
                clock.advance(1_000);
            }
            log.roll();
            clock.advance(HOUR);
        }
        log.highWatermark(log.logEndOffset());
    }

    private static long segmentDirs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).count();
        }
    }

    private static long cycleFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void timeRetentionDeletesWholeOldSegmentsAndMovesTheLogStart() throws IOException {
        PartitionLog log = open(PartitionLogTest.testConfig().retentionMs(7 * HOUR / 2));
        fillSegments(log, 5);   // 5 sealed segments of 6 records + an empty active one
        long cyclesBefore = cycleFiles(root);
        assertThat(log.segmentCount()).isEqualTo(6);

        // only segments 0 and 1 hold nothing newer than 3.5 hours before now
        int deleted = log.deleteExpiredSegments(clock.millis());
        assertThat(deleted).isEqualTo(2);
        assertThat(log.logStartOffset()).isEqualTo(12);
        assertThat(log.segmentCount()).isEqualTo(4);
        assertThat(segmentDirs(root.resolve("t-0"))).isEqualTo(4);
        assertThat(cycleFiles(root)).isLessThan(cyclesBefore);
        assertThatThrownBy(() -> log.read(11, 100, Long.MAX_VALUE, PooledByteBufAllocator.DEFAULT))
                .isInstanceOf(SluiceException.class)
                .hasMessage("offset 11 is out of range [12, 30)")
                .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        try (FetchData data = log.read(12, 1, Long.MAX_VALUE, PooledByteBufAllocator.DEFAULT)) {
            assertThat(TestBatches.values(data.records())).containsExactly("v12", "v13");
        }

        // much later, everything but the active segment goes
        clock.advance(10 * HOUR);
        assertThat(log.deleteExpiredSegments(clock.millis())).isEqualTo(3);
        assertThat(log.logStartOffset()).isEqualTo(30);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThat(log.deleteExpiredSegments(clock.millis())).isZero();
        assertThat(PartitionLogTest.append(log, clock.millis(), "w").baseOffset()).isEqualTo(30);

        log.close();
        PartitionLog again = open(PartitionLogTest.testConfig().retentionMs(7 * HOUR / 2));
        assertThat(again.logStartOffset()).isEqualTo(30);
        assertThat(again.logEndOffset()).isEqualTo(31);
    }

    @Test
    void sizeRetentionKeepsAtLeastRetentionBytes() {
        PartitionLog probe = open(PartitionLogTest.testConfig().retentionMs(-1));
        fillSegments(probe, 4);
        long segmentSize = probe.sizeInBytes() / 4;
        // the log must keep at least 2.5 segments' worth: only the oldest of four can go
        probe.config(probe.config().copy().retentionBytes(segmentSize * 5 / 2));
        assertThat(probe.deleteExpiredSegments(clock.millis())).isEqualTo(1);
        assertThat(probe.sizeInBytes()).isGreaterThanOrEqualTo(segmentSize * 5 / 2);
        assertThat(probe.logStartOffset()).isEqualTo(6);
        probe.config(probe.config().copy().retentionBytes(0));
        assertThat(probe.deleteExpiredSegments(clock.millis())).isEqualTo(3);
        assertThat(probe.sizeInBytes()).isZero();
        assertThat(probe.logStartOffset()).isEqualTo(probe.logEndOffset());
    }

    @Test
    void retentionKeepsWhatIsNotBelowTheHighWatermarkAndMovesTheEpochHistory() {
        PartitionLog log = open(PartitionLogTest.testConfig().retentionMs(HOUR));
        fillSegments(log, 3);
        log.leaderEpochCache().assign(2, 4);
        log.leaderEpochCache().assign(3, 14);
        log.highWatermark(11);   // inside the second segment [6, 12)
        clock.advance(10 * HOUR);
        assertThat(log.deleteExpiredSegments(clock.millis())).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(6);
        assertThat(log.leaderEpochCache().entries()).containsExactly(new LeaderEpochCache.EpochEntry(2, 6),
                new LeaderEpochCache.EpochEntry(3, 14));
        log.highWatermark(log.logEndOffset());
        assertThat(log.deleteExpiredSegments(clock.millis())).isEqualTo(2);
    }
}
