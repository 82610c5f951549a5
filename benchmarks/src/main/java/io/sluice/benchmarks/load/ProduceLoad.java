package io.sluice.benchmarks.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One producer sending keyless records of a fixed size as fast as the client allows: first {@code warmup} records
 * (not measured), then {@code records} records timed from the first send until {@code flush()} returns (every
 * record acknowledged). Every 64th record carries a callback that samples its acknowledgement latency; a failed
 * record fails the workload. Runs on the calling thread; callbacks run on the client's threads.
 */
public final class ProduceLoad {
    private static final int SAMPLE_MASK = 63;

    private ProduceLoad() {
    }

    public static LoadResult run(String workload, MessagingSystem system, MessagingSystem.SenderSettings settings,
                                 String topic, int partitions, int size, long warmup, long records) throws Exception {
        system.createTopic(topic, partitions);
        return send(workload, system, settings, topic, size, warmup, records);
    }

    /** The same on a topic of {@code replicas} replicas with {@code minInSync} in-sync replicas. */
    public static LoadResult runReplicated(String workload, MessagingSystem system,
                                           MessagingSystem.SenderSettings settings, String topic, int partitions,
                                           int replicas, int minInSync, int size, long warmup, long records)
            throws Exception {
        system.createReplicatedTopic(topic, partitions, replicas, minInSync);
        return send(workload, system, settings, topic, size, warmup, records).put("replicas", replicas)
                .put("min_insync", minInSync);
    }

    private static LoadResult send(String workload, MessagingSystem system, MessagingSystem.SenderSettings settings,
                                   String topic, int size, long warmup, long records) throws Exception {
        byte[] value = new byte[size];
        ThreadLocalRandom.current().nextBytes(value);
        Recorder latencies = new Recorder(3);
        AtomicLong failed = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        try (MessagingSystem.Sender sender = system.sender(settings)) {
            sendAll(sender, topic, value, warmup, latencies, failed, firstError);
            sender.flush();
            latencies.reset();
            long start = System.nanoTime();
            sendAll(sender, topic, value, records, latencies, failed, firstError);
            sender.flush();
            long elapsed = System.nanoTime() - start;
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " sampled records failed, first: " + firstError.get(),
                        firstError.get());
            }
            Histogram h = latencies.getIntervalHistogram();
            double seconds = elapsed / 1e9;
            return new LoadResult(workload).put("records", records).put("record_bytes", size)
                    .put("seconds", seconds).put("msgs_per_s", records / seconds)
                    .put("mb_per_s", records * (double) size / seconds / 1e6).latency(h);
        }
    }

    private static void sendAll(MessagingSystem.Sender sender, String topic, byte[] value, long count,
                                Recorder latencies, AtomicLong failed, AtomicReference<Throwable> firstError) {
        for (long i = 0; i < count; i++) {
            if ((i & SAMPLE_MASK) == 0) {
                long sentAt = System.nanoTime();
                sender.send(topic, value, error -> {
                    if (error == null) {
                        latencies.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1000));
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, error);
                    }
                });
            } else {
                sender.send(topic, value, null);
            }
        }
    }
}
