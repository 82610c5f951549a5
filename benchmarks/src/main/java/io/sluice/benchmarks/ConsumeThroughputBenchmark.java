package io.sluice.benchmarks;

import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.NewTopic;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One consumer (no group) reading every partition from the beginning, against a broker in its own JVM that holds
 * {@link #RECORDS} records of {@code size} bytes over {@code partitions} partitions. The score is records per
 * second; each invocation reads all of them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", JvmFlags.EXPORT_REF, JvmFlags.EXPORT_NIO, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_JAVAC, JvmFlags.OPEN_JAVAC, JvmFlags.OPEN_LANG, JvmFlags.OPEN_REFLECT, JvmFlags.OPEN_IO,
        JvmFlags.OPEN_UTIL, JvmFlags.NO_ANALYTICS})
public class ConsumeThroughputBenchmark {
    static final int RECORDS = 2_000_000;

    @Param({"100"})
    int size;
    @Param({"8"})
    int partitions;

    private SluiceProcess server;
    private Consumer<byte[], byte[]> consumer;
    private List<TopicPartition> assignment;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = SluiceProcess.start("-Xmx512m");
        String topic = "read-" + size;
        try (Admin admin = Admin.create(new AdminConfig().nameservers(server.nameservers()))) {
            admin.createTopic(new NewTopic(topic, partitions, 1));
        }
        byte[] value = new byte[size];
        ThreadLocalRandom.current().nextBytes(value);
        try (Producer<byte[], byte[]> producer = Producer.create(new ProducerConfig()
                .nameservers(server.nameservers()), Serdes.bytes(), Serdes.bytes())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, null, value));
            }
            producer.flush();
        }
        consumer = Consumer.create(new ConsumerConfig().nameservers(server.nameservers()).maxPollRecords(10_000),
                Serdes.bytes(), Serdes.bytes());
        assignment = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assignment.add(new TopicPartition(topic, p));
        }
        consumer.assign(assignment);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void readAll(Blackhole bh) {
        consumer.seekToBeginning(assignment);
        int read = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (read < RECORDS && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                bh.consume(r.value());
                read++;
            }
        }
        if (read < RECORDS) {
            throw new IllegalStateException("read only " + read + " of " + RECORDS + " records");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        consumer.close();
        server.close();
    }
}
