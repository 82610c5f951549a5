package io.sluice.benchmarks.peer.grpc;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.sluice.benchmarks.load.LoadArgs;
import io.sluice.benchmarks.load.ServerMain;
import io.sluice.benchmarks.load.model.BenchUserServiceImpl;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC provider of the RPC comparison, in a JVM of its own: gRPC-java over Netty (grpc-netty-shaded) bound to
 * 127.0.0.1 only, plaintext, default executor. Prints {@code READY port=P} and serves until SIGTERM.
 */
public final class GrpcRpcProvider {
    private GrpcRpcProvider() {
    }

    public static void main(String[] argv) throws Exception {
        LoadArgs args = new LoadArgs(argv);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", args.intValue("port", 0)))
                .addService(GrpcUserService.bind(new BenchUserServiceImpl()))
                .build()
                .start();
        ServerMain.serve(server.getPort(), () -> {
            server.shutdown();
            try {
                server.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, System.out);
    }
}
