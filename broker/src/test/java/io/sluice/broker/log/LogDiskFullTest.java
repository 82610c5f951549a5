package io.sluice.broker.log;

import io.sluice.broker.testing.Tmpfs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Partition logs on a small tmpfs that fills up. Every append is either stored whole or refused with STORAGE_FULL
 * storing nothing (never a fault on an unbacked mapped page: an InternalError would fail the test), everything
 * acknowledged reads back intact, appends resume once space is freed, and a restart (clean or after a crash) keeps
 * every acknowledged record. Both ways of reserving space are covered: fallocate and writing zeros.
 */
class LogDiskFullTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final long HOUR = 3_600_000;

    @TempDir
    Path root;
    private Tmpfs disk;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final List<PartitionLog> opened = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        FileSpace.nativeAllocation(true);
        for (PartitionLog l : opened) {
            try {
                l.close();
            } catch (RuntimeException e) {
                // a log on a full disk may not checkpoint; the mount goes anyway
            }
        }
        if (disk != null) {
            disk.close();
        }
    }

    private static LogConfig config() {
        return LogConfig.defaults().segmentBytes(256 * 1024).indexIntervalBytes(4096);
    }

    private PartitionLog open(String name) {
        PartitionLog log = PartitionLog.open(disk.dir().resolve(name), config(), clock);
        opened.add(log);
        return log;
    }

    /** A batch of four records of about 1 KiB, named after the offset the log will give the first. */
    private static String[] values(long firstOffset) {
        String[] vs = new String[4];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = "v" + (firstOffset + i) + "-" + "x".repeat(1000);
        }
        return vs;
    }

    /** Appends {@code batches} batches (there is room for them); returns {@code acked} with their values added. */
    private List<String> appendBatches(PartitionLog log, List<String> acked, int batches) {
        for (int i = 0; i < batches; i++) {
            String[] vs = values(log.logEndOffset());
            PartitionLogTest.append(log, clock.millis(), vs);
            acked.addAll(List.of(vs));
        }
        return acked;
    }

    /** Appends until {@code refusals} appends in a row were refused; returns the acknowledged values in order. */
    private List<String> fillUp(PartitionLog log, List<String> acked, int refusals) throws IOException {
        int refusedInARow = 0;
        for (int b = 0; refusedInARow < refusals; b++) {
            assertThat(b).as("appends before the disk filled").isLessThan(100_000);
            String[] vs = values(log.logEndOffset());
            long endBefore = log.logEndOffset();
            try {
                PartitionLogTest.append(log, clock.millis(), vs);
                acked.addAll(List.of(vs));
                refusedInARow = 0;
            } catch (SluiceException e) {
                assertThat(e.code()).as("refusal %s", e).isEqualTo(ErrorCode.STORAGE_FULL);
                assertThat(e.getMessage()).contains(disk.dir().toString());
                assertThat(log.logEndOffset()).as("a refused append stores nothing").isEqualTo(endBefore);
                assertThat(disk.freeBytes()).as("refused only when nearly full").isLessThan(1 << 20);
                refusedInARow++;
            }
            if (b % 50 == 49) {
                clock.advance(HOUR);   // Chronicle starts a new cycle file on the way
            }
        }
        return acked;
    }

    private static List<String> readAll(PartitionLog log) {
        try (FetchData data = log.read(log.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, ALLOC)) {
            return TestBatches.values(data.records());
        }
    }

    @ParameterizedTest(name = "fallocate={0}")
    @ValueSource(booleans = {true, false})
    void aFullDiskRefusesAppendsAndAcknowledgedDataSurvives(boolean fallocate) throws Exception {
        FileSpace.nativeAllocation(fallocate);
        disk = Tmpfs.mount(root.resolve("disk"), 4 << 20);
        Path balloon = disk.dir().resolve("balloon");
        Files.write(balloon, new byte[1 << 20]);
        Path spare = disk.dir().resolve("spare");
        Files.write(spare, new byte[512 << 10]);
        PartitionLog log = open("t-0");

        List<String> acked = fillUp(log, new ArrayList<>(), 20);
        assertThat(acked.size()).isGreaterThan(1_000);
        assertThat(log.segmentCount()).isGreaterThan(3);
        assertThat(log.logEndOffset()).isEqualTo(acked.size());
        assertThat(readAll(log)).isEqualTo(acked);

        // space comes back: appends resume, after the data acknowledged before
        Files.delete(balloon);
        for (int i = 0; i < 50; i++) {
            String[] vs = values(log.logEndOffset());
            PartitionLogTest.append(log, clock.millis(), vs);
            acked.addAll(List.of(vs));
        }
        assertThat(readAll(log)).isEqualTo(acked);

        // fill it again and stop on the full disk; restart cleanly and after a crash: nothing acknowledged goes
        fillUp(log, acked, 5);
        log.close();
        Files.delete(spare);   // a restart starts a new segment and rewrites the metadata: that takes a little space
        log = open("t-0");
        assertThat(log.logEndOffset()).isEqualTo(acked.size());
        assertThat(readAll(log)).isEqualTo(acked);
        log.closeUncleanly();
        log = open("t-0");
        assertThat(log.logEndOffset()).isEqualTo(acked.size());
        assertThat(readAll(log)).isEqualTo(acked);
        try (Stream<Path> files = Files.walk(disk.dir())) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".precreated")))
                    .as("pre-created cycle files left behind").isEmpty();
        }
    }

    @ParameterizedTest(name = "fallocate={0}")
    @ValueSource(booleans = {true, false})
    void aLogReopenedAfterACleanShutdownKeepsItsSpaceReserved(boolean fallocate) throws Exception {
        FileSpace.nativeAllocation(fallocate);
        disk = Tmpfs.mount(root.resolve("disk"), 3 << 20);
        PartitionLog log = open("t-0");
        List<String> acked = appendBatches(log, new ArrayList<>(), 20);
        int segments = log.segmentCount();
        log.close();

        log = open("t-0");
        // with fallocate the active segment goes on in its file; without, the holes Chronicle leaves below its write
        // position cannot be vouched for, so the first append starts a new segment
        String[] first = values(log.logEndOffset());
        PartitionLogTest.append(log, clock.millis(), first);
        acked.addAll(List.of(first));
        assertThat(log.segmentCount()).isEqualTo(fallocate ? segments : segments + 1);
        fillUp(log, acked, 10);
        assertThat(readAll(log)).isEqualTo(acked);
    }

    @ParameterizedTest(name = "fallocate={0}")
    @ValueSource(booleans = {true, false})
    void anAppenderClosedForIdlenessResumesInTheSpaceItHadReserved(boolean fallocate) throws Exception {
        FileSpace.nativeAllocation(fallocate);
        disk = Tmpfs.mount(root.resolve("disk"), 3 << 20);
        PartitionLog log = open("t-0");
        List<String> acked = appendBatches(log, new ArrayList<>(), 20);
        int segments = log.segmentCount();
        for (int round = 0; round < 3; round++) {
            assertThat(log.closeIdleFiles(System.nanoTime(), 0)).as("closed for idleness").isPositive();
            appendBatches(log, acked, 1);
            assertThat(log.segmentCount()).as("reopened, the appender goes on in its segment, with or without"
                    + " fallocate: it remembers how far the file was allocated").isEqualTo(segments);
        }
        // to a full disk, then closed and reopened there: what does not fit is refused, nothing is lost
        fillUp(log, acked, 5);
        assertThat(log.closeIdleFiles(System.nanoTime(), 0)).isPositive();
        fillUp(log, acked, 3);
        assertThat(readAll(log)).isEqualTo(acked);
    }

    @Test
    void aFollowerOnAFullDiskStoresWholeBatchesOnlyAndCatchesUpLater() throws Exception {
        disk = Tmpfs.mount(root.resolve("disk"), 4 << 20);
        Path balloon = disk.dir().resolve("balloon");
        Files.write(balloon, new byte[512 << 10]);
        PartitionLog follower = open("f-0");
        long leaderEnd = 0;
        List<String> sent = new ArrayList<>();
        int refused = 0;
        while (refused < 10) {
            // what a leader would send: five batches of four records from the follower's log end
            ByteBuf batches = Unpooled.directBuffer();
            long base = follower.logEndOffset();
            List<String> values = new ArrayList<>();
            for (int b = 0; b < 5; b++) {
                String[] vs = values(base + b * 4L);
                ByteBuf one = TestBatches.batch(clock.millis(), vs);
                new RecordBatch().wrap(one, 0).baseOffset(base + b * 4L);
                batches.writeBytes(one);
                one.release();
                values.addAll(List.of(vs));
            }
            try {
                follower.appendAsFollower(batches);
            } catch (SluiceException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FULL);
                refused++;
            } finally {
                batches.release();
            }
            long stored = follower.logEndOffset() - base;
            assertThat(stored % 4).as("whole batches only").isZero();
            sent.addAll(values.subList(0, (int) stored));
            leaderEnd = follower.logEndOffset();
        }
        assertThat(readAll(follower)).isEqualTo(sent);
        Files.delete(balloon);
        ByteBuf next = TestBatches.batch(clock.millis(), values(leaderEnd));
        new RecordBatch().wrap(next, 0).baseOffset(leaderEnd);
        try {
            follower.appendAsFollower(next);
        } finally {
            next.release();
        }
        assertThat(follower.logEndOffset()).isEqualTo(leaderEnd + 4);
        sent.addAll(List.of(values(leaderEnd)));
        assertThat(readAll(follower)).isEqualTo(sent);
    }
}
