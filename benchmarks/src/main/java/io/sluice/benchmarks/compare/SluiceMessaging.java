package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.load.MessagingSystem;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionDescription;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.SluiceException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sluice through its Java client: the producer with the harness's acks, linger, batch size and buffer memory, the
 * consumer (no group) assigned every partition from the beginning. Thread-compatible, like the interface.
 */
final class SluiceMessaging implements MessagingSystem {
    private final String nameservers;
    private final Admin admin;

    SluiceMessaging(String nameservers) {
        this.nameservers = nameservers;
        // creating a topic of thousands of partitions on a busy machine may take longer than the default 30 s
        this.admin = Admin.create(new AdminConfig().nameservers(nameservers).requestTimeoutMs(120_000));
    }

    @Override
    public void createTopic(String topic, int partitions) throws Exception {
        admin.createTopic(new NewTopic(topic, partitions, 1));
        long deadline = System.nanoTime() + readyWithinNs(partitions);
        // written once every partition has a leader the producer can find
        try (Producer<byte[], byte[]> probe = Producer.create(new ProducerConfig().nameservers(nameservers),
                Serdes.bytes(), Serdes.bytes())) {
            while (probe.partitionsFor(topic).size() < partitions) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " has no route after "
                            + TimeUnit.NANOSECONDS.toSeconds(readyWithinNs(partitions)) + " s");
                }
                Thread.sleep(50);
            }
        }
    }

    /** Creates the topic, then waits until every partition has a leader and all its replicas in sync. */
    @Override
    public void createReplicatedTopic(String topic, int partitions, int replicas, int minInSync) throws Exception {
        admin.createTopic(new NewTopic(topic, partitions, replicas,
                Map.of("min.insync.replicas", Integer.toString(minInSync))));
        long deadline = System.nanoTime() + readyWithinNs(partitions * replicas);
        while (true) {
            try {
                List<PartitionDescription> described = admin.describeTopic(topic).partitions();
                if (described.size() == partitions && described.stream()
                        .allMatch(p -> p.leader() >= 0 && p.isr().size() == replicas && p.highWatermark() >= 0)) {
                    return;
                }
            } catch (SluiceException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has no leaders or replicas in sync after "
                        + TimeUnit.NANOSECONDS.toSeconds(readyWithinNs(partitions * replicas)) + " s");
            }
            Thread.sleep(50);
        }
    }

    /** How long a new topic may take to be writable: a minute, plus 20 ms per replica for topics of thousands. */
    static long readyWithinNs(int replicas) {
        return TimeUnit.SECONDS.toNanos(60) + TimeUnit.MILLISECONDS.toNanos(20L * replicas);
    }

    @Override
    public Sender sender(SenderSettings s) {
        Producer<byte[], byte[]> producer = Producer.create(new ProducerConfig().nameservers(nameservers)
                .acks(s.acks()).lingerMs(s.lingerMs()).batchSize(s.batchBytes()).bufferMemory(s.bufferBytes()),
                Serdes.bytes(), Serdes.bytes());
        return new Sender() {
            @Override
            public void send(String topic, byte[] value, AckCallback onAck) {
                CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord<>(topic, null, value));
                if (onAck != null) {
                    f.whenComplete((md, error) -> onAck.done(error));
                }
            }

            @Override
            public void send(String topic, int partition, byte[] value, AckCallback onAck) {
                CompletableFuture<RecordMetadata> f = producer.send(new ProducerRecord<>(topic, partition, null,
                        value));
                if (onAck != null) {
                    f.whenComplete((md, error) -> onAck.done(error));
                }
            }

            @Override
            public void flush() {
                producer.flush();
            }

            @Override
            public void close() {
                producer.close(Duration.ofSeconds(30));
            }
        };
    }

    @Override
    public Reader reader(List<String> topics, int partitionsPerTopic, int maxPollRecords) {
        Consumer<byte[], byte[]> consumer = Consumer.create(new ConsumerConfig().nameservers(nameservers)
                .maxPollRecords(maxPollRecords), Serdes.bytes(), Serdes.bytes());
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : topics) {
            for (int p = 0; p < partitionsPerTopic; p++) {
                all.add(new TopicPartition(topic, p));
            }
        }
        consumer.assign(all);
        consumer.seekToBeginning(all);
        return new Reader() {
            @Override
            public int poll(long timeoutMs, ValueSink sink) {
                int n = 0;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(timeoutMs))) {
                    sink.accept(r.value());
                    n++;
                }
                return n;
            }

            @Override
            public void close() {
                consumer.close();
            }
        };
    }

    @Override
    public void close() {
        admin.close();
    }
}
