package io.sluice.broker.log;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** One appender and two readers at once: readers always see a dense prefix of whole, correct batches. */
class LogConcurrencyTest {
    private static final int BATCHES = 1500;

    @TempDir
    Path root;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readersSeeADensePrefixWhileOneThreadAppends() throws Exception {
        MutableClock clock = new MutableClock(1_700_000_000_000L);
        LogConfig config = PartitionLogTest.testConfig().segmentBytes(32 * 1024);
        try (PartitionLog log = PartitionLog.open(root.resolve("t-0"), config, clock)) {
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean appending = new AtomicBoolean(true);
            Thread appender = new Thread(() -> {
                try {
                    for (int b = 0; b < BATCHES; b++) {
                        long base = log.logEndOffset();
                        int n = 1 + b % 5;
                        String[] values = new String[n];
                        for (int i = 0; i < n; i++) {
                            values[i] = "v" + (base + i);
                        }
                        PartitionLogTest.append(log, clock.millis(), values);
                        log.highWatermark(log.logEndOffset() - (b % 3));
                        if (b % 40 == 0) {
                            clock.advance(1_000);   // a new Chronicle cycle
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                } finally {
                    appending.set(false);
                }
            }, "appender");
            Thread follower = reader(log, false, appending, failures);
            Thread consumer = reader(log, true, appending, failures);
            appender.start();
            follower.start();
            consumer.start();
            appender.join();
            follower.join();
            consumer.join();
            assertThat(failures).isEmpty();
            assertThat(log.segmentCount()).isGreaterThan(3);
        }
    }

    private static Thread reader(PartitionLog log, boolean upToHighWatermark, AtomicBoolean appending,
                                 List<Throwable> failures) {
        Thread t = new Thread(() -> {
            long next = 0;
            try {
                while (true) {
                    boolean more = appending.get();
                    long limit = upToHighWatermark ? log.highWatermark() : log.logEndOffset();
                    try (FetchData data = log.read(next, 2048, limit, PooledByteBufAllocator.DEFAULT)) {
                        if (!data.isEmpty()) {
                            long[] expected = {next};
                            TestBatches.forEachRecord(data.records(), (offset, value) -> {
                                if (offset != expected[0] || !value.equals("v" + offset)) {
                                    throw new AssertionError("expected v" + expected[0] + " at " + expected[0]
                                            + " but read " + value + " at " + offset);
                                }
                                expected[0]++;
                            });
                            if (data.firstOffset() != next || data.nextOffset() != expected[0]) {
                                throw new AssertionError("read [" + data.firstOffset() + ", " + data.nextOffset()
                                        + ") from " + next + " but the records end at " + expected[0]);
                            }
                            if (data.nextOffset() > limit + 5) {
                                throw new AssertionError("read past the limit " + limit);
                            }
                            next = data.nextOffset();
                        } else if (!more && next >= log.logEndOffset()) {
                            return;
                        } else {
                            LockSupport.parkNanos(50_000);
                        }
                    }
                    if (!more && upToHighWatermark && next >= log.highWatermark()) {
                        return;
                    }
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        }, upToHighWatermark ? "consumer" : "follower");
        t.setDaemon(true);
        return t;
    }
}
