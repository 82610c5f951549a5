package io.sluice.rpc.testing;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryConfig;
import io.sluice.rpc.RpcClient;
import io.sluice.rpc.RpcServer;
import io.sluice.rpc.RpcServerConfig;

import java.util.concurrent.atomic.AtomicInteger;

/** Shared settings of the RPC tests: loopback, short timeouts, a fresh registry root per test. */
public final class RpcTests {
    private static final AtomicInteger ROOTS = new AtomicInteger();

    private RpcTests() {
    }

    /** A fresh registry root on {@code zk} with short timeouts. */
    public static RegistryConfig registry(EmbeddedZooKeeper zk) {
        return registry(zk.connectString(), "/rpctest" + ROOTS.incrementAndGet());
    }

    /** Another client's config for the same root. */
    public static RegistryConfig registry(String connect, String root) {
        return new RegistryConfig()
                .connect("zookeeper://" + connect)
                .root(root)
                .sessionTimeoutMs(3_000)
                .connectionTimeoutMs(3_000)
                .retryBaseMs(50)
                .retryMaxMs(500)
                .watchCoalesceMs(10);
    }

    /** A provider config for tests: port 0, no warm-up, a short grace and shutdown limit. */
    public static RpcServerConfig serverConfig() {
        return new RpcServerConfig().host("127.0.0.1").port(0).warmupMs(0).unregisterGraceMs(300)
                .shutdownTimeoutMs(5_000).businessThreads(16).businessQueue(256);
    }

    /** A provider of {@link TestService} version 1.0 named {@code impl}, registered in {@code registry}. */
    public static RpcServer provider(RegistryConfig registry, TestServiceImpl impl) {
        return RpcServer.builder().registry(registry).config(serverConfig())
                .service(TestService.class, impl, "1.0", "", 100).start();
    }

    public static RpcClient client(RegistryConfig registry) {
        return RpcClient.builder().registry(registry).build();
    }
}
