package io.sluice.broker.log;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Storage whose cost follows data: a log opens no file until it is used, closes the files of idle segments and
 * reopens them transparently for readers and writers; a clean shutdown lets the next start skip recovery, and a
 * crash recovers only the segments written since the last recovery point. Files and maps are counted in
 * {@code /proc/self}.
 */
class LogIdleCloseTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private PartitionLog open(String name) {
        PartitionLog log = PartitionLog.open(dir.resolve(name), PartitionLogTest.testConfig(), clock);
        opened.add(log);
        return log;
    }

    private LogManager manager() {
        LogManager m = new LogManager(dir.resolve("data"), PartitionLogTest.testConfig(), clock, 2);
        opened.add(m);
        return m;
    }

    /** Descriptors of this process that point under {@code under}. */
    static long filesUnder(Path under) throws IOException {
        String prefix = under.toAbsolutePath().toString();
        long n = 0;
        try (Stream<Path> fds = Files.list(Paths.get("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith(prefix)) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return n;
    }

    /** Waits until no file or map under {@code under} is open (Chronicle releases some in a background thread). */
    static void awaitNothingOpenUnder(Path under) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(filesUnder(under)).as("files open under %s", under).isZero();
            assertThat(mapsUnder(under)).as("maps under %s", under).isZero();
        });
    }

    /** Memory maps of this process of files under {@code under}. */
    static long mapsUnder(Path under) throws IOException {
        String prefix = under.toAbsolutePath().toString();
        try (Stream<String> lines = Files.lines(Paths.get("/proc/self/maps"))) {
            return lines.filter(l -> l.contains(prefix)).count();
        }
    }

    private static List<String> readAll(PartitionLog log) {
        try (FetchData data = log.read(log.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, ALLOC)) {
            return TestBatches.values(data.records());
        }
    }

    private List<String> fill(PartitionLog log, int batches, String tag) {
        List<String> values = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            String[] vs = {tag + b + "-a-" + "x".repeat(200), tag + b + "-b"};
            PartitionLogTest.append(log, clock.millis(), vs);
            values.addAll(List.of(vs));
        }
        return values;
    }

    @Test
    void aNewLogOpensNoFileUntilItsFirstAppend() throws IOException {
        PartitionLog log = open("t-0");
        assertThat(log.segmentCount()).isZero();
        assertThat(filesUnder(dir)).isZero();
        assertThat(mapsUnder(dir)).isZero();
        assertThat(readAll(log)).isEmpty();

        List<String> values = fill(log, 3, "v");
        assertThat(filesUnder(dir)).isPositive();
        assertThat(readAll(log)).isEqualTo(values);
    }

    @Test
    void idleSegmentsCloseTheirFilesAndReopenForReadsAndAppends() throws IOException {
        PartitionLog log = open("t-0");
        List<String> values = fill(log, 60, "v");
        assertThat(log.segmentCount()).as("small segments roll").isGreaterThan(2);
        assertThat(readAll(log)).isEqualTo(values);
        assertThat(mapsUnder(dir)).isPositive();

        assertThat(log.closeIdleFiles(System.nanoTime(), 0)).isPositive();
        awaitNothingOpenUnder(dir);

        assertThat(readAll(log)).as("a read reopens what it needs").isEqualTo(values);
        log.closeIdleFiles(System.nanoTime(), 0);
        values.addAll(fill(log, 5, "w"));
        assertThat(readAll(log)).as("an append reopens the active segment").isEqualTo(values);
        for (int i = 0; i < 3; i++) {   // reopening the appender on an existing file leaves nothing open behind
            log.closeIdleFiles(System.nanoTime(), 0);
            awaitNothingOpenUnder(dir);
            values.addAll(fill(log, 1, "again" + i));
        }
        assertThat(readAll(log)).isEqualTo(values);

        assertThat(log.closeIdleFiles(System.nanoTime(), 60_000_000_000L)).as("recently used: kept open").isZero();
        assertThat(filesUnder(dir)).isPositive();
    }

    @Test
    void concurrentReadersAndAWriterNeverNoticeIdleClosing() throws Exception {
        PartitionLog log = open("t-0");
        List<String> values = new ArrayList<>(fill(log, 40, "v"));
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(4);
        List<String> expectedPrefix = List.copyOf(values);
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            threads.add(new Thread(() -> {
                try {
                    while (!stop.get()) {
                        List<String> read = readAll(log);
                        assertThat(read.subList(0, expectedPrefix.size())).isEqualTo(expectedPrefix);
                    }
                } catch (Throwable t) {
                    errors.add(t);
                } finally {
                    done.countDown();
                }
            }));
        }
        threads.add(new Thread(() -> {
            try {
                while (!stop.get()) {
                    log.closeIdleFiles(System.nanoTime(), 0);
                    Thread.onSpinWait();
                }
            } catch (Throwable t) {
                errors.add(t);
            } finally {
                done.countDown();
            }
        }));
        List<String> appended = new ArrayList<>();
        threads.add(new Thread(() -> {
            try {
                for (int i = 0; i < 300 && errors.isEmpty(); i++) {
                    appended.addAll(fill(log, 1, "c" + i + "-"));
                }
            } catch (Throwable t) {
                errors.add(t);
            } finally {
                stop.set(true);
                done.countDown();
            }
        }));
        threads.forEach(Thread::start);
        assertThat(done.await(120, TimeUnit.SECONDS)).isTrue();
        errors.forEach(Throwable::printStackTrace);
        assertThat(errors).isEmpty();
        values.addAll(appended);
        assertThat(readAll(log)).isEqualTo(values);
    }

    @Test
    void moreActivePartitionsThanTheOpenSegmentsLimitCloseTheLeastRecentlyUsedAndLoseNothing() throws IOException {
        OpenSegments bound = new OpenSegments(10);
        LogManager m = new LogManager(dir.resolve("data"), PartitionLogTest.testConfig(), clock, 2, bound);
        opened.add(m);
        List<List<String>> values = new ArrayList<>();
        for (int p = 0; p < 40; p++) {
            values.add(new ArrayList<>());
        }
        for (int round = 0; round < 3; round++) {
            for (int p = 0; p < 40; p++) {
                values.get(p).addAll(fill(m.getOrCreate("t", p), 1, "r" + round + "p" + p + "-"));
                assertThat(bound.count()).as("segments open after appending to t-%d", p).isLessThanOrEqualTo(10);
            }
        }
        assertThat(bound.evictions()).as("40 partitions in turn through 10 open segments").isGreaterThan(40);
        assertThat(filesUnder(dir.resolve("data"))).as("descriptors: about %d per open segment",
                ProcessLimits.FILES_PER_ACTIVE_PARTITION).isLessThanOrEqualTo(10L * ProcessLimits.FILES_PER_ACTIVE_PARTITION);
        for (int p = 0; p < 40; p++) {
            assertThat(readAll(m.get("t", p))).as("t-%d read back", p).isEqualTo(values.get(p));
            assertThat(bound.count()).isLessThanOrEqualTo(10);
        }
        m.close();

        LogManager again = new LogManager(dir.resolve("data"), PartitionLogTest.testConfig(), clock, 2, bound);
        opened.add(again);
        for (int p = 0; p < 40; p++) {
            assertThat(readAll(again.getOrCreate("t", p))).as("t-%d after a restart", p).isEqualTo(values.get(p));
        }
    }

    @Test
    void concurrentReadersAndWritersOfManyPartitionsThroughFewOpenSegmentsNeverNoticeEvictions() throws Exception {
        OpenSegments bound = new OpenSegments(4);
        LogManager m = new LogManager(dir.resolve("data"), PartitionLogTest.testConfig(), clock, 2, bound);
        opened.add(m);
        int partitions = 12;
        List<List<String>> values = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            values.add(new ArrayList<>(fill(m.getOrCreate("t", p), 2, "v")));
        }
        List<List<String>> prefixes = values.stream().map(List::copyOf).toList();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int first = r;
            threads.add(new Thread(() -> {
                try {
                    for (int i = first; !stop.get(); i++) {
                        int p = i % partitions;
                        List<String> read = readAll(m.get("t", p));
                        assertThat(read.subList(0, prefixes.get(p).size())).isEqualTo(prefixes.get(p));
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        for (int w = 0; w < 2; w++) {
            int half = w;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 150 && errors.isEmpty(); i++) {
                        int p = (i % (partitions / 2)) * 2 + half;   // each writer its own partitions
                        values.get(p).addAll(fill(m.get("t", p), 1, "w" + i + "-"));
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads.subList(2, 4)) {
            t.join(120_000);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(120_000);
        }
        errors.forEach(Throwable::printStackTrace);
        assertThat(errors).isEmpty();
        assertThat(bound.evictions()).isPositive();
        for (int p = 0; p < partitions; p++) {
            assertThat(readAll(m.get("t", p))).as("t-%d", p).isEqualTo(values.get(p));
        }
    }

    @Test
    void aCleanShutdownIsRecordedOnceAndTheRestartOpensNothing() throws IOException {
        LogManager m = manager();
        List<List<String>> values = new ArrayList<>();
        for (int p = 0; p < 20; p++) {
            values.add(fill(m.getOrCreate("t", p), 1 + p % 25, "p" + p + "-"));
        }
        m.close();
        Path data = dir.resolve("data");
        assertThat(data.resolve(CleanShutdown.FILE_NAME)).exists();
        long metaWritten = Files.getLastModifiedTime(data.resolve("t-3").resolve(PartitionMetadata.FILE_NAME))
                .toMillis();

        LogManager again = manager();
        assertThat(data.resolve(CleanShutdown.FILE_NAME)).as("deleted at start: a crash later is a crash")
                .doesNotExist();
        assertThat(again.startedClean()).isTrue();
        List<LogManager.LogRequest> requests = new ArrayList<>();
        for (int p = 0; p < 20; p++) {
            requests.add(new LogManager.LogRequest("t", p, PartitionLogTest.testConfig()));
        }
        PartitionLog[] logs = again.openAll(requests);
        assertThat(again.recoveredSegments()).isZero();
        awaitNothingOpenUnder(data);   // nothing opened to load the logs
        assertThat(Files.getLastModifiedTime(data.resolve("t-3").resolve(PartitionMetadata.FILE_NAME)).toMillis())
                .as("an unchanged log's metadata is not rewritten").isEqualTo(metaWritten);
        for (int p = 0; p < 20; p++) {
            assertThat(readAll(logs[p])).isEqualTo(values.get(p));
            values.get(p).addAll(fill(logs[p], 2, "after"));
            assertThat(readAll(logs[p])).isEqualTo(values.get(p));
        }
    }

    @Test
    void aCrashRecoversOnlyTheSegmentsWrittenAfterTheRecoveryPoint() {
        LogManager m = manager();
        List<String> busy = fill(m.getOrCreate("busy", 0), 80, "b");
        List<String> quiet = fill(m.getOrCreate("quiet", 0), 2, "q");
        int busySegments = m.get("busy", 0).segmentCount();
        assertThat(busySegments).isGreaterThan(3);
        m.runRetention(clock.millis());           // flushes the rolled segments: the recovery point passes them
        m.checkpointRecoveryPoints();             // and the active segments: nothing left to recover
        busy.addAll(fill(m.get("busy", 0), 3, "late"));   // appended after the checkpoint: must be recovered
        m.get("busy", 0).closeUncleanly();
        m.get("quiet", 0).closeUncleanly();

        LogManager again = new LogManager(dir.resolve("data"), PartitionLogTest.testConfig(), clock, 2);
        opened.add(again);
        assertThat(again.startedClean()).isFalse();
        PartitionLog b = again.getOrCreate("busy", 0);
        PartitionLog q = again.getOrCreate("quiet", 0);
        assertThat(readAll(b)).isEqualTo(busy);
        assertThat(readAll(q)).isEqualTo(quiet);
        assertThat(again.recoveredSegments()).as("the active segment of each log, not all %d", busySegments + 1)
                .isLessThanOrEqualTo(3);
    }

    @Test
    void aSegmentRecoveredAfterACrashIsSealedWithoutAWriteUntilTheNextSegmentStarts() {
        PartitionLog log = open("t-0");
        List<String> values = fill(log, 3, "v");
        log.closeUncleanly();
        Path seal = dir.resolve("t-0").resolve(LogSegment.dirName(0)).resolve(SegmentSeal.FILE_NAME);

        PartitionLog again = open("t-0");
        assertThat(again.recoveredSegments()).isEqualTo(1);
        assertThat(seal).as("sealed in memory only").doesNotExist();
        assertThat(readAll(again)).isEqualTo(values);
        again.closeUncleanly();                       // a second crash before any append

        PartitionLog third = open("t-0");
        assertThat(readAll(third)).isEqualTo(values);
        third.close();                                // a clean stop records the pending seal

        PartitionLog fourth = open("t-0");
        assertThat(fourth.recoveredSegments()).isZero();
        assertThat(seal).doesNotExist();
        assertThat(fourth.segmentCount()).isEqualTo(1);
        values.addAll(fill(fourth, 2, "after"));
        assertThat(seal).as("written when the next segment starts").exists();
        assertThat(fourth.segmentCount()).isEqualTo(2);
        assertThat(readAll(fourth)).isEqualTo(values);
        fourth.closeUncleanly();

        PartitionLog fifth = open("t-0");
        assertThat(readAll(fifth)).isEqualTo(values);
    }
}
