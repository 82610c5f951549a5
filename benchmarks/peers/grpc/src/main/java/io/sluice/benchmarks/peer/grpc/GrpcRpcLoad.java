package io.sluice.benchmarks.peer.grpc;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.sluice.benchmarks.load.Emails;
import io.sluice.benchmarks.load.LoadArgs;
import io.sluice.benchmarks.load.RpcCall;
import io.sluice.benchmarks.load.RpcRun;
import io.sluice.benchmarks.load.model.BenchUserServiceImpl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC consumer of the RPC comparison, in a JVM of its own: one plaintext channel to 127.0.0.1:PORT (one HTTP/2
 * connection, as gRPC does by default) shared by every load thread, blocking unary calls with a 3 s deadline,
 * driven by {@link RpcRun}. Exits 1 when an operation failed.
 */
public final class GrpcRpcLoad {
    private GrpcRpcLoad() {
    }

    public static void main(String[] argv) throws Exception {
        LoadArgs args = new LoadArgs(argv);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", args.intValue("port", 0))
                .usePlaintext().build();
        Map<String, RpcCall> calls = new LinkedHashMap<>();
        calls.put("existUser", i -> ClientCalls.blockingUnaryCall(channel, GrpcUserService.EXIST_USER,
                options(), Emails.of(i)));
        calls.put("createUser", i -> ClientCalls.blockingUnaryCall(channel, GrpcUserService.CREATE_USER,
                options(), BenchUserServiceImpl.newUser(i)));
        calls.put("getUser", i -> ClientCalls.blockingUnaryCall(channel, GrpcUserService.GET_USER, options(), i));
        calls.put("listUser", i -> ClientCalls.blockingUnaryCall(channel, GrpcUserService.LIST_USER, options(),
                (int) (i % 1000)));
        int failures = RpcRun.run(calls, args, System.out);
        channel.shutdown().awaitTermination(10, TimeUnit.SECONDS);
        System.exit(failures == 0 ? 0 : 1);
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(3, TimeUnit.SECONDS);
    }
}
