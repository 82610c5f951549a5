package io.sluice.it;

import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;

/**
 * A well-behaved producer (acks=1, 100-byte records, as fast as it can) and a consumer tailing what it writes, each
 * on a thread of its own, counting acknowledged and consumed records; {@link #measure} gives their rates over a
 * window. Errors are counted, not thrown: the point is to see whether the broker keeps serving them.
 */
final class GoodTraffic implements AutoCloseable {
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong consumed = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Thread producerThread;
    private final Thread consumerThread;
    private volatile boolean stopped;

    /** Rates over one window, records per second. */
    record Rates(double produced, double consumed) {
        @Override
        public String toString() {
            return String.format("produced %.0f/s, consumed %.0f/s", produced, consumed);
        }
    }

    GoodTraffic(String nameservers, String topic, int partitions) {
        producerThread = new Thread(() -> produce(nameservers, topic), "good-producer");
        consumerThread = new Thread(() -> consume(nameservers, topic, partitions), "good-consumer");
        producerThread.setDaemon(true);
        consumerThread.setDaemon(true);
        producerThread.start();
        consumerThread.start();
    }

    private void produce(String nameservers, String topic) {
        ProducerConfig config = new ProducerConfig().nameservers(nameservers).acks(1).lingerMs(2)
                .batchSize(64 * 1024).bufferMemory(8L * 1024 * 1024).maxBlockMs(10_000).requestTimeoutMs(10_000)
                .deliveryTimeoutMs(30_000);
        String value = "v".repeat(100);
        try (Producer<String, String> producer = Producer.create(config, Serdes.string(), Serdes.string())) {
            while (!stopped) {
                try {
                    producer.send(new ProducerRecord<>(topic, null, value)).whenComplete((md, e) -> {
                        if (e == null) {
                            acked.incrementAndGet();
                        } else {
                            failures.incrementAndGet();
                        }
                    });
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                }
            }
        }
    }

    private void consume(String nameservers, String topic, int partitions) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(nameservers)
                .fetchMaxWaitMs(200), Serdes.string(), Serdes.string())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            while (!stopped) {
                try {
                    consumed.addAndGet(consumer.poll(Duration.ofMillis(200)).count());
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                }
            }
        }
    }

    /** Rates over the next {@code window}. */
    Rates measure(Duration window) throws InterruptedException {
        long a0 = acked.get();
        long c0 = consumed.get();
        long t0 = System.nanoTime();
        Thread.sleep(window.toMillis());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Rates((acked.get() - a0) / seconds, (consumed.get() - c0) / seconds);
    }

    long acked() {
        return acked.get();
    }

    long consumed() {
        return consumed.get();
    }

    long failures() {
        return failures.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        producerThread.join(TimeUnit.SECONDS.toMillis(30));
        consumerThread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
