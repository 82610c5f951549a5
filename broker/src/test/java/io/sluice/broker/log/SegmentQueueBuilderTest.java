package io.sluice.broker.log;

import io.netty.buffer.PooledByteBufAllocator;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
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

/**
 * A segment's Chronicle queue keeps its table store on the heap: an active segment holds one descriptor, its roll
 * cycle is recorded in its directory and outlives a change of the configured one, and a segment written with
 * Chronicle's own table store (an earlier version's) opens, is converted, and keeps every record.
 */
class SegmentQueueBuilderTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final List<PartitionLog> opened = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        opened.forEach(PartitionLog::close);
    }

    private PartitionLog open(String rollCycle) {
        PartitionLog log = PartitionLog.open(dir.resolve("t-0"),
                PartitionLogTest.testConfig().rollCycle(rollCycle).conclude(), clock);
        opened.add(log);
        return log;
    }

    private List<String> append(PartitionLog log, String tag, int batches) {
        List<String> values = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            String[] vs = {tag + b + "-a", tag + b + "-b"};
            PartitionLogTest.append(log, clock.millis(), vs);
            values.addAll(List.of(vs));
        }
        return values;
    }

    /** The values of four batches written to a log of {@code rollCycle}, which is then closed cleanly. */
    private List<String> writtenThenClosed(String rollCycle, String tag) {
        PartitionLog log = open(rollCycle);
        List<String> values = new ArrayList<>(append(log, tag, 4));
        log.close();
        opened.remove(log);
        return values;
    }

    private static List<String> readAll(PartitionLog log) {
        try (FetchData data = log.read(log.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE,
                PooledByteBufAllocator.DEFAULT)) {
            return TestBatches.values(data.records());
        }
    }

    private Path firstSegment() {
        return dir.resolve("t-0").resolve(LogSegment.dirName(0));
    }

    private static List<String> names(Path segment) throws IOException {
        try (Stream<Path> files = Files.list(segment)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anActiveSegmentHoldsOneDescriptorAndRecordsItsRollCycleInsteadOfATableStore() throws IOException {
        PartitionLog log = open("TEST_SECONDLY");
        List<String> values = append(log, "v", 5);

        assertThat(LogIdleCloseTest.filesUnder(dir)).as("descriptors of a segment being written and read")
                .isEqualTo(ProcessLimits.FILES_PER_ACTIVE_PARTITION).isEqualTo(1);
        assertThat(readAll(log)).isEqualTo(values);
        assertThat(LogIdleCloseTest.filesUnder(dir)).as("a reader shares the appender's").isEqualTo(1);
        assertThat(names(firstSegment())).contains("roll-cycle.TEST_SECONDLY", OffsetIndex.FILE_NAME)
                .doesNotContain(SingleChronicleQueue.QUEUE_METADATA_FILE)
                .anyMatch(n -> n.endsWith(SingleChronicleQueue.SUFFIX));
    }

    @Test
    void theRecordedRollCycleOutlivesAChangeOfTheConfiguredOne() throws IOException {
        List<String> values = writtenThenClosed("TEST_SECONDLY", "before");

        PartitionLog again = open("TEST4_SECONDLY");
        assertThat(readAll(again)).isEqualTo(values);
        values.addAll(append(again, "after", 4));
        assertThat(readAll(again)).isEqualTo(values);
        assertThat(names(firstSegment())).contains("roll-cycle.TEST_SECONDLY")
                .doesNotContain("roll-cycle.TEST4_SECONDLY");
    }

    @Test
    void aSegmentWithChronicleTableStoreIsConvertedOnFirstOpenAndKeepsEveryRecord() throws IOException {
        List<String> values = writtenThenClosed("TEST_SECONDLY", "old");
        // the layout of an earlier version: Chronicle's own table store, no record of the roll cycle
        Files.delete(firstSegment().resolve("roll-cycle.TEST_SECONDLY"));
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.single(firstSegment().toFile())
                .rollCycle(TestRollCycles.TEST_SECONDLY).build()) {
            assertThat(q.firstCycle()).isNotEqualTo(Integer.MAX_VALUE);
        }
        assertThat(names(firstSegment())).contains(SingleChronicleQueue.QUEUE_METADATA_FILE);

        PartitionLog again = open("TEST4_SECONDLY");
        values.addAll(append(again, "new", 4));   // opens the segment: it takes the roll cycle its table store held
        assertThat(readAll(again)).isEqualTo(values);
        assertThat(names(firstSegment())).contains("roll-cycle.TEST_SECONDLY")
                .doesNotContain(SingleChronicleQueue.QUEUE_METADATA_FILE, "roll-cycle.TEST4_SECONDLY");
        assertThat(LogIdleCloseTest.filesUnder(dir)).isEqualTo(1);
    }
}
