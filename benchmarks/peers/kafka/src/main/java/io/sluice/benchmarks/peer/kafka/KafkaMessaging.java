package io.sluice.benchmarks.peer.kafka;

import io.sluice.benchmarks.load.MessagingSystem;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Kafka through its own client (kafka-clients): the producer with the harness's acks, linger, batch size and
 * buffer memory (idempotence off, as acks=1 requires; no compression), the consumer without a group (assign +
 * seekToBeginning, no commits). Thread-compatible, like the interface.
 */
final class KafkaMessaging implements MessagingSystem {
    private final String bootstrap;
    private final Admin admin;

    KafkaMessaging(String bootstrap) {
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // creating a topic of thousands of partitions on a busy machine may take longer than the default 30 s
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 180_000);
        this.admin = Admin.create(p);
    }

    @Override
    public void createTopic(String topic, int partitions) throws Exception {
        create(new NewTopic(topic, partitions, (short) 1), 1);
    }

    @Override
    public void createReplicatedTopic(String topic, int partitions, int replicas, int minInSync) throws Exception {
        create(new NewTopic(topic, partitions, (short) replicas)
                .configs(Map.of("min.insync.replicas", Integer.toString(minInSync))), replicas);
    }

    /**
     * Creates the topic, then waits until every partition has a leader and all its replicas in sync, and until every
     * replica's log exists on its broker (describeLogDirs): a KRaft broker learns of a new partition from the
     * metadata log and creates its log afterwards, which for thousands of partitions takes seconds that must not
     * count as produce time.
     */
    private void create(NewTopic newTopic, int replicas) throws Exception {
        String topic = newTopic.name();
        int partitions = newTopic.numPartitions();
        long readyWithinNs = TimeUnit.SECONDS.toNanos(60)
                + TimeUnit.MILLISECONDS.toNanos(20L * partitions * replicas);
        admin.createTopics(List.of(newTopic)).all().get(readyWithinNs, TimeUnit.NANOSECONDS);
        long deadline = System.nanoTime() + readyWithinNs;
        while (true) {
            try {
                var d = admin.describeTopics(Set.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                if (d.partitions().size() == partitions && d.partitions().stream()
                        .allMatch(p -> p.leader() != null && p.isr().size() == replicas)
                        && replicaLogs(topic) == (long) partitions * replicas) {
                    return;
                }
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has no leaders, replicas in sync or logs after "
                        + TimeUnit.NANOSECONDS.toSeconds(readyWithinNs) + " s");
            }
            Thread.sleep(50);
        }
    }

    /** How many replica logs of {@code topic} the brokers hold. */
    private long replicaLogs(String topic) throws Exception {
        List<Integer> brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(Node::id)
                .toList();
        Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(brokers).allDescriptions()
                .get(30, TimeUnit.SECONDS);
        return dirs.values().stream().flatMap(byDir -> byDir.values().stream())
                .flatMap(dir -> dir.replicaInfos().keySet().stream()).filter(tp -> tp.topic().equals(topic)).count();
    }

    @Override
    public Sender sender(SenderSettings s) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, s.acks());
        p.put(ProducerConfig.LINGER_MS_CONFIG, s.lingerMs());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, s.batchBytes());
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, s.bufferBytes());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "all".equals(s.acks()) || "-1".equals(s.acks()));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer());
        return new Sender() {
            @Override
            public void send(String topic, byte[] value, AckCallback onAck) {
                producer.send(new ProducerRecord<>(topic, null, value),
                        onAck == null ? null : (md, error) -> onAck.done(error));
            }

            @Override
            public void send(String topic, int partition, byte[] value, AckCallback onAck) {
                producer.send(new ProducerRecord<>(topic, partition, null, value),
                        onAck == null ? null : (md, error) -> onAck.done(error));
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
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : topics) {
            for (int i = 0; i < partitionsPerTopic; i++) {
                all.add(new TopicPartition(topic, i));
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
                consumer.close(Duration.ofSeconds(10));
            }
        };
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(10));
    }
}
