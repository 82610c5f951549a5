package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.load.LoadArgs;
import io.sluice.benchmarks.load.ServerMain;
import io.sluice.rpc.RpcServer;
import io.sluice.rpc.RpcServerConfig;
import io.sluice.rpc.demo.UserServiceImpl;

/**
 * The Sluice RPC provider of the comparison, in a JVM of its own: exports {@link UserServiceImpl} (version 1.0)
 * on 127.0.0.1 without a registry (consumers call it directly), with the default business pool. Prints
 * {@code READY port=P} and serves until SIGTERM.
 */
public final class SluiceRpcProvider {
    private SluiceRpcProvider() {
    }

    public static void main(String[] argv) throws Exception {
        LoadArgs args = new LoadArgs(argv);
        RpcServer server = RpcServer.builder()
                .config(new RpcServerConfig().host("127.0.0.1").port(args.intValue("port", 0)).warmupMs(0)
                        .application("sluice-bench-provider"))
                .service(new UserServiceImpl())
                .start();
        ServerMain.serve(server.port(), server::close, System.out);
    }
}
