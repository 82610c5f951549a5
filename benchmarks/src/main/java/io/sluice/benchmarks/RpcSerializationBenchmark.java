package io.sluice.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.rpc.RpcServerConfig;
import io.sluice.rpc.demo.User;
import io.sluice.rpc.demo.UserService;
import io.sluice.rpc.demo.UserServiceImpl;
import io.sluice.rpc.internal.serialize.AllowList;
import io.sluice.rpc.internal.serialize.RpcSerializer;
import io.sluice.rpc.internal.serialize.ValuesSchema;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * RPC serialization (protostuff through {@link RpcSerializer}, as the provider and the stub use it) of the
 * benchmark's payloads: a User (12 fields) and a Page of 15 users, each encoded into a pooled buffer and decoded
 * back (score per round trip).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", JvmFlags.NO_ANALYTICS})
public class RpcSerializationBenchmark {
    private RpcSerializer serializer;
    private ValuesSchema userSchema;
    private ValuesSchema pageSchema;
    private Object[] user;
    private Object[] page;

    @Setup
    public void setUp() {
        serializer = new RpcSerializer(AllowList.defaults().with(AllowList.packagesOf(UserService.class)),
                RpcServerConfig.MAX_PAYLOAD_BYTES_DEFAULT);
        userSchema = serializer.schemaFor(User.class);
        pageSchema = serializer.schemaFor(io.sluice.rpc.demo.Page.class);
        user = new Object[]{UserServiceImpl.newUser(42)};
        page = new Object[]{new UserServiceImpl().listUser(7)};
    }

    @Benchmark
    public Object[] userRoundTrip() {
        return roundTrip(userSchema, user);
    }

    @Benchmark
    public Object[] pageRoundTrip() {
        return roundTrip(pageSchema, page);
    }

    private Object[] roundTrip(ValuesSchema schema, Object[] values) {
        ByteBuf buf = serializer.encode(PooledByteBufAllocator.DEFAULT, schema, values);
        try {
            return serializer.decode(buf, schema);
        } finally {
            buf.release();
        }
    }
}
