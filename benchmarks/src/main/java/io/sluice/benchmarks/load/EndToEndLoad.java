package io.sluice.benchmarks.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end latency at a fixed rate: one producer sends {@code rate} records a second (paced per millisecond) to
 * a fresh topic while one consumer in the same JVM reads it; the latency of a record is the consumer's receive time
 * minus the producer's send time, both {@code System.nanoTime()} of this JVM (the send time travels in the first
 * eight bytes of the value). The first {@code warmupMs} are not measured; after the measured period the consumer
 * gets up to ten seconds to receive every measured record. The producer runs on the calling thread, the consumer
 * on a thread of its own.
 */
public final class EndToEndLoad {
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(10);

    private EndToEndLoad() {
    }

    public static LoadResult run(String workload, MessagingSystem system, MessagingSystem.SenderSettings settings,
                                 String topic, int partitions, int size, int rate, long warmupMs, long measureMs,
                                 int maxPollRecords) throws Exception {
        system.createTopic(topic, partitions);
        Recorder latencies = new Recorder(3);
        AtomicLong measureStart = new AtomicLong(Long.MAX_VALUE);
        AtomicLong received = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> readerError = new AtomicReference<>();
        try (MessagingSystem.Reader reader = system.reader(topic, partitions, maxPollRecords)) {
            Thread consumer = new Thread(() -> {
                MessagingSystem.ValueSink sink = v -> {
                    long now = System.nanoTime();
                    long sentAt = ByteBuffer.wrap(v).getLong(0);
                    if (sentAt >= measureStart.get()) {
                        latencies.recordValue(Math.max(0, (now - sentAt) / 1000));
                        received.incrementAndGet();
                    }
                };
                try {
                    while (!stop.get()) {
                        reader.poll(100, sink);
                    }
                } catch (Throwable t) {
                    readerError.set(t);
                }
            }, "e2e-consumer");
            consumer.start();
            long sent;
            long measureNs;
            try (MessagingSystem.Sender sender = system.sender(settings)) {
                paced(sender, topic, size, rate, TimeUnit.MILLISECONDS.toNanos(warmupMs));
                sender.flush();
                latencies.reset();
                long start = System.nanoTime();
                measureStart.set(start);
                sent = paced(sender, topic, size, rate, TimeUnit.MILLISECONDS.toNanos(measureMs));
                measureNs = System.nanoTime() - start;
                sender.flush();
            }
            long drainUntil = System.nanoTime() + DRAIN_NS;
            while (received.get() < sent && System.nanoTime() < drainUntil && readerError.get() == null) {
                Thread.sleep(5);
            }
            stop.set(true);
            consumer.join(TimeUnit.SECONDS.toMillis(15));
            if (readerError.get() != null) {
                throw new IllegalStateException("consumer failed: " + readerError.get(), readerError.get());
            }
            if (received.get() < sent) {
                throw new IllegalStateException("received " + received.get() + " of " + sent + " measured records");
            }
            Histogram h = latencies.getIntervalHistogram();
            return new LoadResult(workload).put("records", sent).put("target_rate", rate)
                    .put("achieved_rate", sent / (measureNs / 1e9)).latency(h);
        }
    }

    /** Sends at {@code rate} records a second for {@code durationNs}, in per-millisecond bursts; returns the count. */
    private static long paced(MessagingSystem.Sender sender, String topic, int size, int rate, long durationNs) {
        long start = System.nanoTime();
        long sent = 0;
        while (true) {
            long now = System.nanoTime();
            long elapsed = now - start;
            if (elapsed >= durationNs) {
                return sent;
            }
            long due = elapsed * rate / 1_000_000_000L + 1;
            while (sent < due) {
                byte[] value = new byte[Math.max(size, Long.BYTES)];
                ByteBuffer.wrap(value).putLong(0, System.nanoTime());
                sender.send(topic, value, null);
                sent++;
            }
            long nextMs = start + ((elapsed / 1_000_000L) + 1) * 1_000_000L;
            LockSupport.parkNanos(Math.max(0, nextMs - System.nanoTime()));
        }
    }
}
