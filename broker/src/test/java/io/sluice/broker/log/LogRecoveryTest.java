package io.sluice.broker.log;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Reopening after a crash: the log ends after its last valid batch and appends continue densely from there. */
class LogRecoveryTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @TempDir
    Path root;
    private Path dir;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final List<PartitionLog> opened = new ArrayList<>();

    private PartitionLog open() {
        dir = root.resolve("t-0");
        PartitionLog log = PartitionLog.open(dir, PartitionLogTest.testConfig(), clock);
        opened.add(log);
        return log;
    }

    @AfterEach
    void closeLogs() {
        for (PartitionLog l : opened) {
            l.close();
        }
    }

    /** Appends {@code n} batches of two records ("v{offset}"), one roll cycle apart every other batch. */
    private List<String> appendBatches(PartitionLog log, int n) {
        List<String> values = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            long base = log.logEndOffset();
            String[] vs = {"v" + base, "v" + (base + 1)};
            PartitionLogTest.append(log, clock.millis(), vs);
            values.addAll(List.of(vs));
            clock.advance(500);
        }
        return values;
    }

    private static List<String> readAll(PartitionLog log) {
        try (FetchData data = log.read(log.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, ALLOC)) {
            return TestBatches.values(data.records());
        }
    }

    private Path lastSegmentDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).max(Comparator.naturalOrder())
                    .orElseThrow();
        }
    }

    /** File and position of the data of the last excerpt of the newest segment. */
    private record Excerpt(Path file, long position, long length) {
    }

    private Excerpt lastExcerpt() throws IOException {
        Path segDir = lastSegmentDir();
        long position = -1;
        long length = -1;
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.single(segDir.toFile())
                .rollCycle(TestRollCycles.TEST_SECONDLY).build();
             ExcerptTailer t = q.createTailer()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    position = dc.wire().bytes().readPosition();
                    length = dc.wire().bytes().readRemaining();
                }
            }
        }
        try (Stream<Path> s = Files.list(segDir)) {
            Path file = s.filter(p -> p.getFileName().toString().endsWith(".cq4")).max(Comparator.naturalOrder())
                    .orElseThrow();
            return new Excerpt(file, position, length);
        }
    }

    private static void writeAt(Path file, long position, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(bytes, position);
        }
    }

    private static ByteBuffer readAt(Path file, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.read(buf, position);
        }
        return buf.flip();
    }

    @Test
    void uncleanShutdownKeepsEverythingAndContinuesInANewSegment() {
        PartitionLog log = open();
        List<String> values = appendBatches(log, 10);
        long end = log.logEndOffset();
        int segments = log.segmentCount();
        log.closeUncleanly();

        PartitionLog again = open();
        assertThat(again.logEndOffset()).isEqualTo(end);
        assertThat(again.segmentCount()).as("the crashed segment is sealed; the next one starts on demand")
                .isEqualTo(segments);
        assertThat(readAll(again)).isEqualTo(values);
        PartitionLogTest.append(again, clock.millis(), "after");
        values.add("after");
        assertThat(again.segmentCount()).isEqualTo(segments + 1);
        assertThat(readAll(again)).isEqualTo(values);
    }

    @Test
    void aCorruptLastBatchIsDroppedAndAppendsContinueAfterTheLastValidOne() throws IOException {
        PartitionLog log = open();
        List<String> values = appendBatches(log, 8);
        long end = log.logEndOffset();
        log.closeUncleanly();

        Excerpt last = lastExcerpt();
        long at = last.position() + last.length() - 2;
        ByteBuffer b = readAt(last.file(), at, 1);
        b.put(0, (byte) (b.get(0) ^ 0x5A));
        writeAt(last.file(), at, b);

        PartitionLog again = open();
        assertThat(again.logEndOffset()).isEqualTo(end - 2);
        assertThat(readAll(again)).isEqualTo(values.subList(0, values.size() - 2));
        assertThat(PartitionLogTest.append(again, clock.millis(), "new-a", "new-b").baseOffset()).isEqualTo(end - 2);
        again.close();

        PartitionLog third = open();
        List<String> expected = new ArrayList<>(values.subList(0, values.size() - 2));
        expected.addAll(List.of("new-a", "new-b"));
        assertThat(readAll(third)).isEqualTo(expected);
        assertThat(third.logEndOffset()).isEqualTo(end);
    }

    @Test
    void anExcerptLeftIncompleteByAKilledWriterIsDropped() throws IOException {
        PartitionLog log = open();
        List<String> values = appendBatches(log, 6);
        long end = log.logEndOffset();
        log.closeUncleanly();

        // a writer killed mid-write leaves Chronicle's header with the not-complete bit set
        Excerpt last = lastExcerpt();
        long headerAt = last.position() - 4;
        ByteBuffer header = readAt(last.file(), headerAt, 4).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0, header.getInt(0) | 0x80000000);
        writeAt(last.file(), headerAt, header);
        // and the rest of the batch half written
        writeAt(last.file(), last.position() + last.length() / 2, ByteBuffer.allocate((int) last.length() / 2));

        PartitionLog again = open();
        assertThat(again.logEndOffset()).isEqualTo(end - 2);
        assertThat(readAll(again)).isEqualTo(values.subList(0, values.size() - 2));
        assertThat(PartitionLogTest.append(again, clock.millis(), "x", "y").baseOffset()).isEqualTo(end - 2);
        assertThat(again.logEndOffset()).isEqualTo(end);
    }

    @Test
    void sealedSegmentsAboveTheRecoveryPointAreCheckedAgain() throws IOException {
        PartitionLog log = open();
        List<String> values = appendBatches(log, 4);   // offsets 0..7
        log.flush();                                    // recovery point 8
        values.addAll(appendBatches(log, 4));          // 8..15, not flushed
        Path sealed = lastSegmentDir();
        log.roll();
        values.addAll(appendBatches(log, 2));          // 16..19 in the next segment
        log.closeUncleanly();

        // the rolled segment lost batch [12, 14) (as if its pages never reached the disk before a power cut)
        long position = -1;
        long length = -1;
        int seen = 0;
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.single(sealed.toFile())
                .rollCycle(TestRollCycles.TEST_SECONDLY).build();
             ExcerptTailer t = q.createTailer()) {
            while (seen < 7) {
                try (DocumentContext dc = t.readingDocument()) {
                    position = dc.wire().bytes().readPosition();
                    length = dc.wire().bytes().readRemaining();
                    seen++;
                }
            }
        }
        Path file = null;
        for (Path p : Files.list(sealed).filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList()) {
            if (Files.size(p) > position) {
                ByteBuffer probe = readAt(p, position, 8);
                if (probe.getLong(0) == 12L) {
                    file = p;
                }
            }
        }
        assertThat(file).as("file holding batch 12").isNotNull();
        writeAt(file, position + length - 1, ByteBuffer.wrap(new byte[] {(byte) 0xFF}));

        PartitionLog again = open();
        assertThat(again.logEndOffset()).isEqualTo(12);
        assertThat(readAll(again)).isEqualTo(values.subList(0, 12));
        assertThat(PartitionLogTest.append(again, clock.millis(), "v12").baseOffset()).isEqualTo(12);
    }

    @Test
    void theMaintenancePassFlushesRolledSegmentsAndMovesTheRecoveryPoint() throws IOException {
        PartitionLog log = open();
        appendBatches(log, 5);
        log.roll();
        appendBatches(log, 1);
        assertThat(Files.readString(dir.resolve("partition.meta"))).contains("recoveryPoint=0");
        log.flushRolledSegments();
        assertThat(Files.readString(dir.resolve("partition.meta"))).contains("recoveryPoint=10");
    }

    @Test
    void aTruncationSealIsRespectedAfterACrash() {
        PartitionLog log = open();
        List<String> values = appendBatches(log, 10);
        log.truncateTo(8);
        PartitionLogTest.append(log, clock.millis(), "n8");
        log.closeUncleanly();

        PartitionLog again = open();
        List<String> expected = new ArrayList<>(values.subList(0, 8));
        expected.add("n8");
        assertThat(readAll(again)).isEqualTo(expected);
        assertThat(again.logEndOffset()).isEqualTo(9);
    }

    @Test
    void aMissingIndexIsRebuiltAndLeftoversAreRemoved() throws IOException {
        PartitionLog log = open();
        List<String> values = appendBatches(log, 12);
        log.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().equals("segment.index")).toList()) {
                Files.delete(p);
            }
        }
        Files.createDirectories(dir.resolve("00000000000000000099.seg.123.deleted"));
        Files.writeString(dir.resolve("partition.meta.tmp"), "garbage");

        PartitionLog again = open();
        assertThat(readAll(again)).isEqualTo(values);
        for (long offset = 0; offset < again.logEndOffset(); offset += 3) {
            try (FetchData data = again.read(offset, 1, Long.MAX_VALUE, ALLOC)) {
                assertThat(TestBatches.offsets(data.records())).contains(offset);
            }
        }
        assertThat(Files.exists(dir.resolve("00000000000000000099.seg.123.deleted"))).isFalse();
        assertThat(Files.exists(dir.resolve("partition.meta.tmp"))).isFalse();
    }

    @Test
    void aRollInterruptedBeforeTheNewSegmentExistsIsCompleted() throws IOException {
        PartitionLog log = open();
        List<String> values = appendBatches(log, 5);
        log.roll();
        log.closeUncleanly();
        Path newest = lastSegmentDir();
        LogFiles.deleteRecursively(newest);   // as if killed between sealing and creating the next segment

        PartitionLog again = open();
        assertThat(readAll(again)).isEqualTo(values);
        assertThat(PartitionLogTest.append(again, clock.millis(), "z").baseOffset()).isEqualTo(values.size());
    }
}
