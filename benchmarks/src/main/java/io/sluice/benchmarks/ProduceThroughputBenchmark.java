package io.sluice.benchmarks;

import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serdes;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
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

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One producer against a broker in its own JVM: records of {@code size} bytes over {@code partitions} partitions with
 * {@code acks}; the score is acknowledged records per second (each invocation sends 100,000 records and flushes).
 * Ack latency percentiles (µs) print at the end of the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", JvmFlags.EXPORT_REF, JvmFlags.EXPORT_NIO, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_JAVAC, JvmFlags.OPEN_JAVAC, JvmFlags.OPEN_LANG, JvmFlags.OPEN_REFLECT, JvmFlags.OPEN_IO,
        JvmFlags.OPEN_UTIL, JvmFlags.NO_ANALYTICS})
public class ProduceThroughputBenchmark {
    static final int RECORDS_PER_INVOCATION = 100_000;

    @Param({"100"})
    int size;
    @Param({"8"})
    int partitions;
    @Param({"1"})
    String acks;
    @Param({"5"})
    long lingerMs;
    @Param({"65536"})
    int batchSize;

    private SluiceProcess server;
    private Producer<byte[], byte[]> producer;
    private byte[] value;
    private final Recorder latencies = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private String topic;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        server = SluiceProcess.start("-Xmx512m");
        topic = "bench-" + size + "-" + partitions;
        try (Admin admin = Admin.create(new AdminConfig().nameservers(server.nameservers()))) {
            admin.createTopic(new NewTopic(topic, partitions, 1));
        }
        value = new byte[size];
        ThreadLocalRandom.current().nextBytes(value);
        producer = Producer.create(new ProducerConfig().nameservers(server.nameservers()).acks(acks)
                .lingerMs(lingerMs).batchSize(batchSize), Serdes.bytes(), Serdes.bytes());
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS_PER_INVOCATION)
    public void send() throws Exception {
        CompletableFuture<RecordMetadata> last = null;
        for (int i = 0; i < RECORDS_PER_INVOCATION; i++) {
            long sentAt = System.nanoTime();
            last = producer.send(new ProducerRecord<>(topic, null, value));
            if ((i & 63) == 0) {
                last.whenComplete(new LatencySample(sentAt));
            }
        }
        producer.flush();
        last.get(30, TimeUnit.SECONDS);
    }

    private final class LatencySample implements BiConsumer<RecordMetadata, Throwable> {
        private final long sentAt;

        LatencySample(long sentAt) {
            this.sentAt = sentAt;
        }

        @Override
        public void accept(RecordMetadata md, Throwable error) {
            if (error == null) {
                latencies.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1000));
            }
        }
    }

    @Setup(Level.Iteration)
    public void resetLatencies() {
        latencies.reset();
    }

    @TearDown(Level.Iteration)
    public void collectLatencies() {
        total.add(latencies.getIntervalHistogram());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        System.out.printf("%nack latency (µs, sampled, warm-up included): p50=%d p99=%d p99.9=%d max=%d%n",
                total.getValueAtPercentile(50), total.getValueAtPercentile(99), total.getValueAtPercentile(99.9),
                total.getMaxValue());
        producer.close();
        server.close();
    }
}
