package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.RecordBatch;
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

class PartitionLogTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final List<PartitionLog> opened = new ArrayList<>();

    static LogConfig testConfig() {
        return LogConfig.defaults().rollCycle("TEST_SECONDLY").segmentBytes(8 * 1024).indexIntervalBytes(512);
    }

    private PartitionLog open(LogConfig config) {
        PartitionLog log = PartitionLog.open(dir.resolve("t-0"), config, clock);
        opened.add(log);
        return log;
    }

    @AfterEach
    void closeLogs() {
        for (PartitionLog l : opened) {
            l.close();
        }
    }

    static LogAppendInfo append(PartitionLog log, long ts, String... values) {
        ByteBuf batch = TestBatches.batch(ts, values);
        try {
            return log.appendAsLeader(batch, 0);
        } finally {
            batch.release();
        }
    }

    /** Appends {@code batches} batches of 1..7 records, moving the clock 700 ms each; returns all values in order. */
    private List<String> fill(PartitionLog log, int batches) {
        List<String> values = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int n = 1 + b % 7;
            String[] vs = new String[n];
            for (int i = 0; i < n; i++) {
                vs[i] = "b" + b + "-r" + i + "-" + "x".repeat(100);
            }
            long before = log.logEndOffset();
            LogAppendInfo info = append(log, clock.millis(), vs);
            assertThat(info.baseOffset()).isEqualTo(before);
            assertThat(info.lastOffset()).isEqualTo(before + n - 1);
            assertThat(info.recordCount()).isEqualTo(n);
            values.addAll(List.of(vs));
            clock.advance(700);
        }
        return values;
    }

    static List<String> readAll(PartitionLog log, long from, long limit) {
        try (FetchData data = log.read(from, Integer.MAX_VALUE, limit, ALLOC)) {
            return TestBatches.values(data.records());
        }
    }

    private static long cycleFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void offsetsStayDenseAcrossRollCyclesAndSegments() throws IOException {
        PartitionLog log = open(testConfig().segmentBytes(4096));
        List<String> values = fill(log, 40);

        assertThat(log.logEndOffset()).isEqualTo(values.size());
        assertThat(log.segmentCount()).isGreaterThan(3);
        assertThat(cycleFiles(dir)).isGreaterThan(log.segmentCount());
        assertThat(readAll(log, 0, Long.MAX_VALUE)).isEqualTo(values);

        // every offset: the batch holding it comes first, and its records are the right ones
        for (long offset = 0; offset < values.size(); offset++) {
            try (FetchData data = log.read(offset, 1, Long.MAX_VALUE, ALLOC)) {
                assertThat(data.batchCount()).isEqualTo(1);
                assertThat(data.firstOffset()).isLessThanOrEqualTo(offset);
                assertThat(data.nextOffset()).isGreaterThan(offset);
                List<Long> offsets = TestBatches.offsets(data.records());
                assertThat(offsets).contains(offset);
                List<String> got = TestBatches.values(data.records());
                assertThat(got).isEqualTo(values.subList((int) data.firstOffset(), (int) data.nextOffset()));
            }
            // reading on from any offset to the end returns the rest, across segment and cycle boundaries
            if (offset % 5 == 0) {
                List<String> rest = readAll(log, offset, Long.MAX_VALUE);
                int first = values.indexOf(rest.get(0));
                assertThat(first).isLessThanOrEqualTo((int) offset);
                assertThat(rest).isEqualTo(values.subList(first, values.size()));
            }
        }
        try (FetchData atEnd = log.read(log.logEndOffset(), 1024, Long.MAX_VALUE, ALLOC)) {
            assertThat(atEnd.isEmpty()).isTrue();
            assertThat(atEnd.firstOffset()).isEqualTo(log.logEndOffset());
        }
    }

    @Test
    void readRespectsMaxBytesAndTheOffsetLimit() {
        PartitionLog log = open(testConfig().segmentBytes(1 << 20));
        for (int b = 0; b < 10; b++) {
            append(log, clock.millis(), "a" + b, "b" + b, "c" + b);   // batches at 0, 3, 6, ... 27
        }
        int batchSize;
        try (FetchData one = log.read(0, 1, Long.MAX_VALUE, ALLOC)) {
            assertThat(one.batchCount()).isEqualTo(1);
            batchSize = one.sizeInBytes();
        }
        try (FetchData two = log.read(4, batchSize * 2 + batchSize / 2, Long.MAX_VALUE, ALLOC)) {
            assertThat(two.batchCount()).isEqualTo(2);
            assertThat(two.firstOffset()).isEqualTo(3);
            assertThat(two.nextOffset()).isEqualTo(9);
            assertThat(TestBatches.batchBases(two.records())).containsExactly(3L, 6L);
        }
        // a batch is included only if it starts below the limit; a limit inside a batch keeps that batch
        try (FetchData upTo = log.read(0, Integer.MAX_VALUE, 10, ALLOC)) {
            assertThat(TestBatches.batchBases(upTo.records())).containsExactly(0L, 3L, 6L, 9L);
        }
        try (FetchData upTo = log.read(0, Integer.MAX_VALUE, 9, ALLOC)) {
            assertThat(TestBatches.batchBases(upTo.records())).containsExactly(0L, 3L, 6L);
        }
        try (FetchData atLimit = log.read(9, Integer.MAX_VALUE, 9, ALLOC)) {
            assertThat(atLimit.isEmpty()).isTrue();
        }
        try (FetchData zero = log.read(0, 0, Long.MAX_VALUE, ALLOC)) {
            assertThat(zero.batchCount()).isEqualTo(1);
        }
    }

    @Test
    void aReadHoldsNoMoreMemoryThanTheBatchesItReturns() {
        PartitionLog log = open(testConfig().segmentBytes(1 << 20).indexIntervalBytes(1 << 20));
        for (int b = 0; b < 20; b++) {
            append(log, clock.millis(), "a" + b, "b" + b, "c" + b);   // batches at 0, 3, ... 57; one index entry
        }
        long next;
        try (FetchData head = log.read(0, 1, Long.MAX_VALUE, ALLOC)) {
            next = head.nextOffset();
        }
        for (long from : new long[] {next, 30, 0}) {   // on from the last read, then from an offset looked up
            try (FetchData rest = log.read(from, 1 << 20, Long.MAX_VALUE, ALLOC)) {
                assertThat(rest.nextOffset()).isEqualTo(60);
                assertThat(rest.records().capacity()).as("buffer of a read from %d", from)
                        .isEqualTo(rest.sizeInBytes());
            }
        }
    }

    @Test
    void withoutMinOneBatchAFirstBatchLargerThanTheLimitIsLeftForTheNextRead() {
        PartitionLog log = open(testConfig().segmentBytes(1 << 20));
        for (int b = 0; b < 4; b++) {
            append(log, clock.millis(), "a" + b, "b" + b, "c" + b);   // batches at 0, 3, 6, 9
        }
        int batchSize;
        try (FetchData one = log.read(3, 1, Long.MAX_VALUE, ALLOC)) {
            batchSize = one.sizeInBytes();
        }
        for (int attempt = 0; attempt < 3; attempt++) {   // the tailer left on the batch serves the same read again
            try (FetchData none = log.read(3, batchSize - 1, false, Long.MAX_VALUE, ALLOC)) {
                assertThat(none.isEmpty()).as("a batch of %d bytes within %d", batchSize, batchSize - 1).isTrue();
            }
        }
        try (FetchData fits = log.read(3, batchSize, false, Long.MAX_VALUE, ALLOC)) {
            assertThat(TestBatches.batchBases(fits.records())).containsExactly(3L);
        }
        try (FetchData rest = log.read(4, batchSize * 3, false, Long.MAX_VALUE, ALLOC)) {
            assertThat(TestBatches.batchBases(rest.records())).containsExactly(3L, 6L, 9L);
            assertThat(rest.nextOffset()).isEqualTo(12);
        }
    }

    @Test
    void offsetsOutsideTheLogAreRefusedWithTheRange() {
        PartitionLog log = open(testConfig());
        fill(log, 5);
        long end = log.logEndOffset();
        assertThatThrownBy(() -> log.read(end + 1, 100, Long.MAX_VALUE, ALLOC))
                .isInstanceOf(SluiceException.class)
                .hasMessage("offset " + (end + 1) + " is out of range [0, " + end + ")")
                .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        assertThatThrownBy(() -> log.read(-1, 100, Long.MAX_VALUE, ALLOC))
                .isInstanceOf(SluiceException.class).hasMessageContaining("[0, " + end + ")");
    }

    @Test
    void reopenAfterCleanCloseKeepsOffsetsContentAndAppendsContinue() {
        PartitionLog log = open(testConfig());
        List<String> values = fill(log, 12);
        log.highWatermark(log.logEndOffset() - 2);
        long end = log.logEndOffset();
        int segments = log.segmentCount();
        log.close();

        PartitionLog again = open(testConfig());
        assertThat(again.logEndOffset()).isEqualTo(end);
        assertThat(again.highWatermark()).isEqualTo(end - 2);
        assertThat(again.segmentCount()).isEqualTo(segments);
        assertThat(readAll(again, 0, Long.MAX_VALUE)).isEqualTo(values);

        LogAppendInfo info = append(again, clock.millis(), "after-1", "after-2");
        assertThat(info.baseOffset()).isEqualTo(end);
        values.addAll(List.of("after-1", "after-2"));
        assertThat(readAll(again, 0, Long.MAX_VALUE)).isEqualTo(values);
    }

    @Test
    void rollsOnSegmentMsAndOnRequest() {
        PartitionLog log = open(testConfig().segmentBytes(1 << 20).segmentMs(10_000));
        append(log, clock.millis(), "a");
        clock.advance(5_000);
        append(log, clock.millis(), "b");
        assertThat(log.segmentCount()).isEqualTo(1);
        clock.advance(5_000);
        append(log, clock.millis(), "c");
        assertThat(log.segmentCount()).isEqualTo(2);
        log.roll();
        assertThat(log.segmentCount()).isEqualTo(3);
        log.roll();
        assertThat(log.segmentCount()).isEqualTo(3);
        append(log, clock.millis(), "d");
        assertThat(readAll(log, 0, Long.MAX_VALUE)).containsExactly("a", "b", "c", "d");
    }

    @Test
    void truncateInsideTheActiveSegmentThenAppendAndReopen() {
        PartitionLog log = open(testConfig().segmentBytes(1 << 20));
        for (int b = 0; b < 6; b++) {
            append(log, clock.millis(), "v" + (2 * b), "v" + (2 * b + 1));   // batches at 0, 2, 4, 6, 8, 10
            clock.advance(600);
        }
        log.highWatermark(12);
        log.truncateTo(7);   // inside the batch [6, 8): it goes whole
        assertThat(log.logEndOffset()).isEqualTo(6);
        assertThat(log.highWatermark()).isEqualTo(6);
        assertThat(readAll(log, 0, Long.MAX_VALUE)).containsExactly("v0", "v1", "v2", "v3", "v4", "v5");
        assertThatThrownBy(() -> log.read(7, 100, Long.MAX_VALUE, ALLOC)).hasMessageContaining("[0, 6)");

        assertThat(append(log, clock.millis(), "n6", "n7").baseOffset()).isEqualTo(6);
        assertThat(readAll(log, 4, Long.MAX_VALUE)).containsExactly("v4", "v5", "n6", "n7");
        log.close();

        PartitionLog again = open(testConfig().segmentBytes(1 << 20));
        assertThat(again.logEndOffset()).isEqualTo(8);
        assertThat(readAll(again, 0, Long.MAX_VALUE)).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "n6", "n7");
        assertThat(append(again, clock.millis(), "n8").baseOffset()).isEqualTo(8);
    }

    @Test
    void truncateAcrossSegmentsDeletesLaterSegments() {
        PartitionLog log = open(testConfig());
        List<String> values = fill(log, 30);
        int segmentsBefore = log.segmentCount();
        long target = values.size() / 3;
        log.truncateTo(target);
        long end = log.logEndOffset();
        assertThat(end).isLessThanOrEqualTo(target).isGreaterThan(target - 7);
        assertThat(log.segmentCount()).isLessThan(segmentsBefore);
        assertThat(readAll(log, 0, Long.MAX_VALUE)).isEqualTo(values.subList(0, (int) end));

        assertThat(append(log, clock.millis(), "new").baseOffset()).isEqualTo(end);
        log.close();
        PartitionLog again = open(testConfig());
        List<String> expected = new ArrayList<>(values.subList(0, (int) end));
        expected.add("new");
        assertThat(readAll(again, 0, Long.MAX_VALUE)).isEqualTo(expected);
        assertThat(again.logEndOffset()).isEqualTo(end + 1);
    }

    @Test
    void truncateAtASegmentBoundaryAndFully() {
        PartitionLog log = open(testConfig());
        fill(log, 12);
        log.roll();
        long boundary = log.logEndOffset();
        fill(log, 3);
        log.truncateTo(boundary);
        assertThat(log.logEndOffset()).isEqualTo(boundary);
        assertThat(append(log, clock.millis(), "z").baseOffset()).isEqualTo(boundary);

        log.truncateFullyAndStartAt(1000);
        assertThat(log.logStartOffset()).isEqualTo(1000);
        assertThat(log.logEndOffset()).isEqualTo(1000);
        assertThat(log.segmentCount()).isEqualTo(1);
        assertThatThrownBy(() -> log.read(0, 10, Long.MAX_VALUE, ALLOC)).hasMessageContaining("[1000, 1000)");
        assertThat(append(log, clock.millis(), "a", "b").baseOffset()).isEqualTo(1000);
        log.close();
        PartitionLog again = open(testConfig());
        assertThat(again.logStartOffset()).isEqualTo(1000);
        assertThat(readAll(again, 1000, Long.MAX_VALUE)).containsExactly("a", "b");
    }

    @Test
    void offsetForTimestampFindsTheFirstRecordAtOrAfter() {
        PartitionLog log = open(testConfig());
        long t0 = clock.millis();
        // batch b holds records stamped t0 + 100*b + i
        for (int b = 0; b < 20; b++) {
            append(log, t0 + 100L * b, "a" + b, "b" + b, "c" + b);
            clock.advance(400);
        }
        assertThat(log.offsetForTimestamp(0)).isEqualTo(0);
        assertThat(log.offsetForTimestamp(t0)).isEqualTo(0);
        assertThat(log.offsetForTimestamp(t0 + 1)).isEqualTo(1);
        assertThat(log.offsetForTimestamp(t0 + 3)).isEqualTo(3);   // next batch (t0+100) is the first at or after
        assertThat(log.offsetForTimestamp(t0 + 1502)).isEqualTo(47);
        assertThat(log.offsetForTimestamp(t0 + 1900)).isEqualTo(57);
        assertThat(log.offsetForTimestamp(t0 + 1903)).isEqualTo(log.logEndOffset());
    }

    @Test
    void followerAppendsKeepTheLeadersOffsetsAndMustContinueTheLog() {
        PartitionLog leader = open(testConfig());
        fill(leader, 8);
        PartitionLog follower = PartitionLog.open(dir.resolve("t-1"), testConfig(), clock);
        opened.add(follower);

        long fetched = 0;
        while (fetched < leader.logEndOffset()) {
            try (FetchData data = leader.read(fetched, 3000, Long.MAX_VALUE, ALLOC)) {
                LogAppendInfo info = follower.appendAsFollower(data.records());
                assertThat(info.baseOffset()).isEqualTo(fetched);
                assertThat(info.lastOffset()).isEqualTo(data.nextOffset() - 1);
                fetched = data.nextOffset();
            }
        }
        assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
        assertThat(readAll(follower, 0, Long.MAX_VALUE)).isEqualTo(readAll(leader, 0, Long.MAX_VALUE));

        try (FetchData again = leader.read(3, 3000, Long.MAX_VALUE, ALLOC)) {
            assertThatThrownBy(() -> follower.appendAsFollower(again.records()))
                    .isInstanceOf(SluiceException.class)
                    .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
        }
        ByteBuf gap = TestBatches.batch(clock.millis(), "x");
        ByteBuf next = TestBatches.batch(clock.millis(), "y");
        new RecordBatch().wrap(gap, 0).baseOffset(follower.logEndOffset());
        new RecordBatch().wrap(next, 0).baseOffset(follower.logEndOffset() + 5);
        ByteBuf both = TestBatches.concat(gap, next);
        try {
            long before = follower.logEndOffset();
            assertThatThrownBy(() -> follower.appendAsFollower(both))
                    .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(follower.logEndOffset()).isEqualTo(before);
        } finally {
            gap.release();
            next.release();
            both.release();
        }
    }

    @Test
    void oversizedAndCorruptBatchesAreRefusedWithoutTouchingTheLog() {
        PartitionLog log = open(testConfig().maxMessageBytes(1024));
        append(log, clock.millis(), "ok");
        ByteBuf big = TestBatches.batch(clock.millis(), "big", 20, 100);
        try {
            assertThatThrownBy(() -> log.appendAsLeader(big, 0))
                    .isInstanceOf(SluiceException.class)
                    .hasMessageContaining("max.message.bytes=1024")
                    .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.RECORD_TOO_LARGE);
        } finally {
            big.release();
        }
        ByteBuf flipped = TestBatches.batch(clock.millis(), "payload-1", "payload-2");
        try {
            int at = flipped.writerIndex() - 3;
            flipped.setByte(at, flipped.getByte(at) ^ 0x40);
            assertThatThrownBy(() -> log.appendAsLeader(flipped, 0))
                    .isInstanceOf(SluiceException.class)
                    .hasMessageContaining("checksum")
                    .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.CORRUPT_RECORD);
        } finally {
            flipped.release();
        }
        ByteBuf truncated = TestBatches.batch(clock.millis(), "payload");
        try {
            truncated.writerIndex(truncated.writerIndex() - 1);
            assertThatThrownBy(() -> log.appendAsLeader(truncated, 0))
                    .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.CORRUPT_RECORD);
        } finally {
            truncated.release();
        }
        assertThat(log.logEndOffset()).isEqualTo(1);
        assertThat(append(log, clock.millis(), "next").baseOffset()).isEqualTo(1);
        assertThat(readAll(log, 0, Long.MAX_VALUE)).containsExactly("ok", "next");
    }

    @Test
    void leaderAppendStampsOffsetAndEpochAndTheEpochHistoryAnswersEndOffsets() {
        PartitionLog log = open(testConfig());
        ByteBuf batch = TestBatches.batch(clock.millis(), "a", "b");
        try {
            log.appendAsLeader(batch, 3);
            RecordBatch view = new RecordBatch().wrap(batch, 0);
            assertThat(view.baseOffset()).isZero();
            assertThat(view.leaderEpoch()).isEqualTo(3);
            assertThat(view.isValid(batch.readableBytes())).isTrue();
        } finally {
            batch.release();
        }
        append(log, clock.millis(), "c");             // epoch 0 < 3: history unchanged
        ByteBuf e5 = TestBatches.batch(clock.millis(), "d", "e");
        try {
            log.appendAsLeader(e5, 5);                  // offsets 3, 4
        } finally {
            e5.release();
        }
        LeaderEpochCache cache = log.leaderEpochCache();
        assertThat(cache.entries()).containsExactly(new LeaderEpochCache.EpochEntry(3, 0),
                new LeaderEpochCache.EpochEntry(5, 3));
        assertThat(cache.endOffsetFor(5)).isEqualTo(new LeaderEpochCache.EpochEndOffset(5, 5));
        assertThat(cache.endOffsetFor(3)).isEqualTo(new LeaderEpochCache.EpochEndOffset(3, 3));
        assertThat(cache.endOffsetFor(4)).isEqualTo(new LeaderEpochCache.EpochEndOffset(3, 3));
        assertThat(cache.endOffsetFor(1)).isEqualTo(new LeaderEpochCache.EpochEndOffset(1, 0));
        assertThat(cache.endOffsetFor(9).isUndefined()).isTrue();
        try (FetchData data = log.read(3, 100, Long.MAX_VALUE, ALLOC)) {
            assertThat(new RecordBatch().wrap(data.records(), 0).leaderEpoch()).isEqualTo(5);
        }

        log.leaderEpochCache().assign(7, log.logEndOffset());
        log.close();
        PartitionLog again = open(testConfig());
        assertThat(again.leaderEpochCache().latestEpoch()).isEqualTo(7);
        again.truncateTo(2);
        assertThat(again.leaderEpochCache().entries()).containsExactly(new LeaderEpochCache.EpochEntry(3, 0));
    }
}
