package io.sluice.benchmarks.load;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One consumer (no group) assigned every partition of one or several topics, reading from the beginning until it has
 * seen {@code expected} records; timed from the first poll to the last record. Warm-up passes first read everything
 * the same way with consumers of their own (not measured), so the measured consumer runs on warm code. Fails when no
 * record arrives for {@code stallMs}, and when a poll hands over more records than were written (a duplicate would
 * otherwise hide a lost one). Runs on the calling thread.
 */
public final class ConsumeLoad {
    private ConsumeLoad() {
    }

    public static LoadResult run(String workload, MessagingSystem system, String topic, int partitions,
                                 long expected, int maxPollRecords, long stallMs, int warmupPasses)
            throws Exception {
        return run(workload, system, List.of(topic), partitions, expected, maxPollRecords, stallMs, warmupPasses);
    }

    /** The same over every partition (0..{@code partitionsPerTopic}-1) of every topic in {@code topics}. */
    public static LoadResult run(String workload, MessagingSystem system, List<String> topics, int partitionsPerTopic,
                                 long expected, int maxPollRecords, long stallMs, int warmupPasses)
            throws Exception {
        for (int i = 0; i < warmupPasses; i++) {
            readAll(workload, system, topics, partitionsPerTopic, expected, maxPollRecords, stallMs);
        }
        return readAll(workload, system, topics, partitionsPerTopic, expected, maxPollRecords, stallMs);
    }

    private static LoadResult readAll(String workload, MessagingSystem system, List<String> topics,
                                      int partitionsPerTopic, long expected, int maxPollRecords, long stallMs)
            throws Exception {
        long[] bytes = new long[1];
        MessagingSystem.ValueSink sink = v -> bytes[0] += v == null ? 0 : v.length;
        try (MessagingSystem.Reader reader = system.reader(topics, partitionsPerTopic, maxPollRecords)) {
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
            if (count != expected) {
                throw new IllegalStateException("read " + count + " records where " + expected + " were written");
            }
            return new LoadResult(workload).put("records", count).put("seconds", seconds)
                    .put("msgs_per_s", count / seconds).put("mb_per_s", bytes[0] / seconds / 1e6);
        }
    }
}
