package io.sluice.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.remoting.codec.MessageCodec;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
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
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * Hot-path micro-benchmarks of the wire format: building a 500-record batch of 100-byte values, validating its
 * checksum, iterating its records, and encoding/decoding a produce request header. Scores are per record (batch
 * benchmarks) or per message (codec).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", JvmFlags.NO_ANALYTICS})
public class RecordBatchBenchmark {
    static final int RECORDS = 500;

    private final byte[] value = new byte[100];
    private ByteBuf buffer;
    private ByteBuf built;
    private final RecordBatch view = new RecordBatch();
    private final Record record = new Record();
    private ByteBuf codecBuffer;
    private ProduceRequest request;

    @Setup(Level.Trial)
    public void setUp() {
        buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        built = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        RecordBatchBuilder builder = new RecordBatchBuilder(built, System.currentTimeMillis());
        for (int i = 0; i < RECORDS; i++) {
            builder.append(System.currentTimeMillis(), null, value);
        }
        builder.close();
        codecBuffer = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        request = ProduceRequest.of((short) 1, 30_000,
                java.util.List.of(new io.sluice.remoting.protocol.ProducePartition("orders", 3, 16 * 1024)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buffer.release();
        built.release();
        codecBuffer.release();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public int buildBatch() {
        buffer.clear();
        long now = System.currentTimeMillis();
        RecordBatchBuilder builder = new RecordBatchBuilder(buffer, now);
        for (int i = 0; i < RECORDS; i++) {
            builder.append(now, null, value);
        }
        builder.close();
        return buffer.writerIndex();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void validateBatch() {
        view.wrap(built, 0).validate(built.readableBytes());
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public void iterateRecords(Blackhole bh) {
        view.wrap(built, 0).forEachRecord(record, r -> bh.consume(r.valueLength()));
    }

    @Benchmark
    public ProduceRequest encodeDecodeProduceRequest() {
        codecBuffer.clear();
        int length = MessageCodec.encode(request, codecBuffer);
        return MessageCodec.decode(ProduceRequest.class, codecBuffer, 0, length);
    }
}
