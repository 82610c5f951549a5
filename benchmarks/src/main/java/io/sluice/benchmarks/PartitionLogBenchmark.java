package io.sluice.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.broker.log.FetchData;
import io.sluice.broker.log.LogConfig;
import io.sluice.broker.log.PartitionLog;
import io.sluice.remoting.record.RecordBatchBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The partition log's hot paths on Chronicle Queue, in-process: appending 500-record batches of 100-byte values as
 * the leader (records per second; each one-second iteration appends to a fresh log, deleted after it, so the disk
 * use stays bounded) and reading a filled log back in 1 MiB fetches (score per fetch). Data lives in a temporary
 * directory, deleted at the end.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", JvmFlags.EXPORT_REF, JvmFlags.EXPORT_NIO, JvmFlags.EXPORT_MISC,
        JvmFlags.EXPORT_JAVAC, JvmFlags.OPEN_JAVAC, JvmFlags.OPEN_LANG, JvmFlags.OPEN_REFLECT, JvmFlags.OPEN_IO,
        JvmFlags.OPEN_UTIL, JvmFlags.NO_ANALYTICS})
public class PartitionLogBenchmark {
    static final int RECORDS = 500;
    static final int FILLED_BATCHES = 4_000;
    static final int FETCH_BYTES = 1 << 20;

    private Path root;
    private ByteBuf batch;
    private PartitionLog appendLog;
    private PartitionLog readLog;
    private long readOffset;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = Files.createTempDirectory("sluice-log-bench-");
        batch = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        byte[] value = new byte[100];
        long now = System.currentTimeMillis();
        RecordBatchBuilder builder = new RecordBatchBuilder(batch, now);
        for (int i = 0; i < RECORDS; i++) {
            builder.append(now, null, value);
        }
        builder.close();
        readLog = PartitionLog.open(root.resolve("read-0"), LogConfig.defaults(), Clock.systemUTC());
        for (int i = 0; i < FILLED_BATCHES; i++) {
            readLog.appendAsLeader(batch, 0);
        }
    }

    @Setup(Level.Iteration)
    public void freshAppendLog() throws IOException {
        closeAppendLog();
        appendLog = PartitionLog.open(root.resolve("append-0"), LogConfig.defaults(), Clock.systemUTC());
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @Warmup(iterations = 3, time = 1)
    @Measurement(iterations = 5, time = 1)
    @OperationsPerInvocation(RECORDS)
    public long appendAsLeader() {
        return appendLog.appendAsLeader(batch, 0).lastOffset();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public int read1MiB() {
        if (readOffset >= readLog.logEndOffset()) {
            readOffset = 0;
        }
        try (FetchData data = readLog.read(readOffset, FETCH_BYTES, readLog.logEndOffset(),
                PooledByteBufAllocator.DEFAULT)) {
            readOffset = data.nextOffset();
            return data.sizeInBytes();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        closeAppendLog();
        readLog.close();
        batch.release();
        deleteTree(root);
    }

    private void closeAppendLog() throws IOException {
        if (appendLog != null) {
            appendLog.close();
            deleteTree(root.resolve("append-0"));
            appendLog = null;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
