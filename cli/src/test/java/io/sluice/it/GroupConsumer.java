package io.sluice.it;

import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRebalanceListener;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** A group consumer polling on its own thread, recording what it read and its assignments (for tests). */
final class GroupConsumer implements AutoCloseable {
    final ConcurrentLinkedQueue<ConsumerRecord<String, String>> records = new ConcurrentLinkedQueue<>();
    final AtomicReference<Set<TopicPartition>> assignment = new AtomicReference<>(Set.of());
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger revocations = new java.util.concurrent.atomic.AtomicInteger();
    private final Consumer<String, String> consumer;
    private final Thread thread;
    private volatile boolean stop;
    private volatile boolean paused;

    GroupConsumer(ConsumerConfig config, String topic) {
        consumer = Consumer.create(config, Serdes.string(), Serdes.string());
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                revocations.incrementAndGet();
                assignment.set(Set.of());
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assignment.set(Set.copyOf(partitions));
            }
        });
        thread = new Thread(this::run, "group-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stop) {
                if (paused) {
                    Thread.sleep(20); // not a wait: a paused member idles without polling, as a stuck one would
                    continue;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    records.add(r);
                }
            }
        } catch (Throwable t) {
            errors.add(t);
        } finally {
            consumer.close();
        }
    }

    /** Stops polling (as an application stuck in processing would) without leaving. */
    void pause() {
        paused = true;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(10_000);
    }
}
