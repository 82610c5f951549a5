package io.sluice.benchmarks.load;

import java.util.concurrent.TimeUnit;

/**
 * One consumer (no group) assigned every partition of a topic, reading from the beginning until it has seen
 * {@code expected} records; timed from the first poll to the last record. Warm-up passes first read the whole
 * topic the same way with consumers of their own (not measured), so the measured consumer runs on warm code.
 * Fails when no record arrives for {@code stallMs}. Runs on the calling thread.
 */
public final class ConsumeLoad {
    private ConsumeLoad() {
    }

    public static LoadResult run(String workload, MessagingSystem system, String topic, int partitions,
                                 long expected, int maxPollRecords, long stallMs, int warmupPasses)
            throws Exception {
        for (int i = 0; i < warmupPasses; i++) {
            readAll(workload, system, topic, partitions, expected, maxPollRecords, stallMs);
        }
        return readAll(workload, system, topic, partitions, expected, maxPollRecords, stallMs);
    }

    private static LoadResult readAll(String workload, MessagingSystem system, String topic, int partitions,
                                      long expected, int maxPollRecords, long stallMs) throws Exception {
        long[] bytes = new long[1];
        MessagingSystem.ValueSink sink = v -> bytes[0] += v == null ? 0 : v.length;
        try (MessagingSystem.Reader reader = system.reader(topic, partitions, maxPollRecords)) {
            long start = System.nanoTime();
            long lastProgress = start;
            long count = 0;
            while (count < expected) {
                int n = reader.poll(100, sink);
                long now = System.nanoTime();
                if (n > 0) {
                    count += n;
                    lastProgress = now;
                } else if (now - lastProgress > TimeUnit.MILLISECONDS.toNanos(stallMs)) {
                    throw new IllegalStateException("read " + count + " of " + expected + " records, then nothing for "
                            + stallMs + " ms");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new LoadResult(workload).put("records", count).put("seconds", seconds)
                    .put("msgs_per_s", count / seconds).put("mb_per_s", bytes[0] / seconds / 1e6);
        }
    }
}
