package io.sluice.rpc.testing;

import io.sluice.rpc.RpcServer;

import java.io.IOException;

/**
 * A provider process for the multi-process tests: {@code ProviderMain <zk host:port> <registry root> <name>
 * <weight> <session timeout ms> [lag ms of lagged()]}. Prints {@code READY <port>} once registered and
 * {@value #LAGGED} as each {@code lagged()} call starts, then serves until its standard input closes (the test
 * ended, or died), when it shuts down gracefully and exits. It installs no shutdown hook of its own.
 */
public final class ProviderMain {
    /** Printed as each {@code lagged()} call starts. */
    public static final String LAGGED = "LAGGED";

    private ProviderMain() {
    }

    public static void main(String[] args) throws IOException {
        String connect = args[0];
        String root = args[1];
        String name = args[2];
        int weight = Integer.parseInt(args[3]);
        int sessionTimeoutMs = Integer.parseInt(args[4]);
        TestServiceImpl impl = new TestServiceImpl(name);
        impl.lagMs = args.length > 5 ? Long.parseLong(args[5]) : 0;
        impl.onLagged = () -> {
            System.out.println(LAGGED);
            System.out.flush();
        };
        RpcServer server = RpcServer.builder()
                .registry(RpcTests.registry(connect, root).sessionTimeoutMs(sessionTimeoutMs))
                .config(RpcTests.serverConfig().businessThreads(8))
                .service(TestService.class, impl, "1.0", "", weight)
                .start();
        System.out.println("READY " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent closes our stdin
        }
        server.close();
        System.exit(0);
    }
}
