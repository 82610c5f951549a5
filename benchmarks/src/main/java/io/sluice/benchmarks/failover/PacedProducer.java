package io.sluice.benchmarks.failover;

import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A producer with the default settings except {@code acks=all}, writing a paced stream of small records round-robin
 * over every partition of a topic from a thread of its own, and timing acknowledgements against a mark: for each
 * partition, when the first record sent after the mark was acknowledged. A record sent after a leader's SIGKILL
 * cannot have been acknowledged by the dead leader, so that instant is the first acknowledged write on the new one.
 * Thread-safe.
 */
final class PacedProducer implements AutoCloseable {
    private final Producer<String, String> producer;
    private final String topic;
    private final int partitions;
    private final long intervalNs;
    private final AtomicLongArray firstAckNs;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final Thread thread;
    private volatile long markNs = Long.MAX_VALUE;
    private volatile boolean running = true;
    private volatile String lastFailure;

    PacedProducer(String nameservers, String topic, int partitions, int recordsPerSecond) {
        this.producer = Producer.create(new ProducerConfig().nameservers(nameservers).acks("all"), Serdes.string(),
                Serdes.string());
        this.topic = topic;
        this.partitions = partitions;
        this.intervalNs = TimeUnit.SECONDS.toNanos(1) / recordsPerSecond;
        this.firstAckNs = new AtomicLongArray(partitions);
        this.thread = new Thread(this::run, "failover-producer");
        this.thread.setDaemon(true);
    }

    PacedProducer start() {
        thread.start();
        return this;
    }

    private void run() {
        long next = System.nanoTime();
        long seq = 0;
        while (running) {
            int partition = (int) (seq % partitions);
            long sentNs = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, partition, null, Long.toString(seq++)))
                    .whenComplete((md, error) -> {
                        if (error != null) {
                            failures.incrementAndGet();
                            lastFailure = error.toString();
                            return;
                        }
                        acked.incrementAndGet();
                        if (sentNs - markNs > 0) {
                            firstAckNs.compareAndSet(partition, 0, System.nanoTime());
                        }
                    });
            next += intervalNs;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                next = System.nanoTime(); // fell behind (send blocked): do not burst to catch up
            }
        }
    }

    /** Starts timing: forgets earlier first acknowledgements and remembers {@code nowNs} as the mark. */
    void mark(long nowNs) {
        for (int p = 0; p < partitions; p++) {
            firstAckNs.set(p, 0);
        }
        markNs = nowNs;
    }

    /** When the first record of {@code partition} sent after the mark was acknowledged (System.nanoTime), or 0. */
    long firstAckNs(int partition) {
        return firstAckNs.get(partition);
    }

    long acked() {
        return acked.get();
    }

    long failures() {
        return failures.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
        producer.close();
    }
}
