package io.sluice.benchmarks.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One producer spreading keyless records of a fixed size over every partition of several topics, the same way for
 * every system: record i goes to topic {@code i mod T}, partition {@code (i / T) mod P}, so each partition gets an
 * equal share and a batch per partition holds few records, which is what many partitions cost a client and a
 * broker. (The messaging suite leaves keyless records to each client's sticky partitioner, which would fill one
 * partition at a time and touch only a few hundred of them.) First {@code warmup} records, continuing the same
 * sequence (with at least as many warm-up records as partitions, every partition has been written before timing
 * starts), then {@code records} timed from the first send until {@code flush()} returns. Every 64th record samples
 * its acknowledgement latency; a failed record fails the workload. Runs on the calling thread.
 */
public final class WideLoad {
    private static final int SAMPLE_MASK = 63;

    private WideLoad() {
    }

    public static LoadResult produce(String workload, MessagingSystem system,
                                     MessagingSystem.SenderSettings settings, List<String> topics,
                                     int partitionsPerTopic, int size, long warmup, long records) throws Exception {
        byte[] value = new byte[size];
        ThreadLocalRandom.current().nextBytes(value);
        Recorder latencies = new Recorder(3);
        AtomicLong failed = new AtomicLong();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        String[] names = topics.toArray(new String[0]);
        try (MessagingSystem.Sender sender = system.sender(settings)) {
            sendAll(sender, names, partitionsPerTopic, value, 0, warmup, latencies, failed, firstError);
            sender.flush();
            latencies.reset();
            long start = System.nanoTime();
            sendAll(sender, names, partitionsPerTopic, value, warmup, records, latencies, failed, firstError);
            sender.flush();
            long elapsed = System.nanoTime() - start;
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " sampled records failed, first: " + firstError.get(),
                        firstError.get());
            }
            Histogram h = latencies.getIntervalHistogram();
            double seconds = elapsed / 1e9;
            return new LoadResult(workload).put("records", records).put("record_bytes", size)
                    .put("topics", names.length).put("partitions", (long) names.length * partitionsPerTopic)
                    .put("seconds", seconds).put("msgs_per_s", records / seconds)
                    .put("mb_per_s", records * (double) size / seconds / 1e6).latency(h);
        }
    }

    private static void sendAll(MessagingSystem.Sender sender, String[] topics, int partitionsPerTopic, byte[] value,
                                long first, long count, Recorder latencies, AtomicLong failed,
                                AtomicReference<Throwable> firstError) {
        int topicCount = topics.length;
        for (long i = first; i < first + count; i++) {
            String topic = topics[(int) (i % topicCount)];
            int partition = (int) ((i / topicCount) % partitionsPerTopic);
            if ((i & SAMPLE_MASK) == 0) {
                long sentAt = System.nanoTime();
                sender.send(topic, partition, value, error -> {
                    if (error == null) {
                        latencies.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1000));
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, error);
                    }
                });
            } else {
                sender.send(topic, partition, value, null);
            }
        }
    }
}
