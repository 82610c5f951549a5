package io.sluice.rpc;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.ServiceInstance;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import io.sluice.rpc.testing.TestServiceImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** Discovery through a real (embedded) ZooKeeper: registration, changes, and a registry outage. */
class RegistryDiscoveryTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private EmbeddedZooKeeper zk;

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (zk != null) {
            zk.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    private static Map<String, Integer> spread(TestService stub, int calls) {
        Map<String, Integer> byProvider = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            byProvider.merge(stub.whoami(), 1, Integer::sum);
        }
        return byProvider;
    }

    @Test
    void providersRegisterAndConsumersFollowTheChanges() {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
        RegistryConfig registry = RpcTests.registry(zk);
        RpcServer p1 = closeLater(RpcTests.provider(registry, new TestServiceImpl("p1")));
        closeLater(RpcTests.provider(registry, new TestServiceImpl("p2")));
        RpcClient client = closeLater(RpcTests.client(RpcTests.registry(zk.connectString(), registry.root())));
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").loadBalancer("round-robin"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> spread(stub, 10).size() == 2);
        assertThat(spread(stub, 10)).containsEntry("p1", 5).containsEntry("p2", 5);

        closeLater(RpcTests.provider(registry, new TestServiceImpl("p3")));
        await().atMost(5, TimeUnit.SECONDS).until(() -> spread(stub, 9).size() == 3);

        p1.close(); // graceful: deregisters first
        await().atMost(5, TimeUnit.SECONDS).until(() -> !spread(stub, 9).containsKey("p1"));
        assertThat(spread(stub, 10)).containsOnlyKeys("p2", "p3");

        try (RegistryClient admin = RegistryClient.connect(RpcTests.registry(zk.connectString(), registry.root()))) {
            String key = TestService.class.getName() + ":1.0";
            List<ServiceInstance> providers = admin.services().providers(key);
            assertThat(providers).hasSize(2).allSatisfy(p -> {
                assertThat(p.host()).isEqualTo("127.0.0.1");
                assertThat(p.version()).isEqualTo("1.0");
                assertThat(p.weight()).isEqualTo(100);
            });
            assertThat(admin.services().consumers(key)).hasSize(1);
        }
    }

    /**
     * A stub that asks for a version or group no provider has (the README's snippet once did: no version, against a
     * provider of "1.0") fails with NO_PROVIDER naming the versions and groups that are registered.
     */
    @Test
    void noProviderNamesTheVersionsAndGroupsThatAreRegistered() {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
        RegistryConfig registry = RpcTests.registry(zk);
        closeLater(RpcTests.provider(registry, new TestServiceImpl("p1")));   // version 1.0, no group
        closeLater(RpcServer.builder().registry(registry).config(RpcTests.serverConfig())
                .service(TestService.class, new TestServiceImpl("blue"), "2.0", "blue", 100).start());
        RpcClient client = closeLater(RpcTests.client(RpcTests.registry(zk.connectString(), registry.root())));
        TestService unversioned = client.stub(TestService.class, o -> o.retries(0));
        // once the consumer's view of the registry has loaded (it loads in the background)
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
            SluiceException e = catchThrowableOfType(SluiceException.class, unversioned::whoami);
            assertThat(e).as("a call without a version").isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.NO_PROVIDER);
            assertThat(e.getMessage()).contains("none registered", "version \"1.0\"",
                    "version \"2.0\", group \"blue\"", "o.version(");
        });
        assertThat(client.stub(TestService.class, o -> o.version("1.0")).whoami()).isEqualTo("p1");
    }

    @Test
    void callsGoOnWhileZooKeeperIsDownAndNewProvidersShowUpWhenItIsBack() {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
        int zkPort = zk.port();
        RegistryConfig registry = RpcTests.registry(zk);
        closeLater(RpcTests.provider(registry, new TestServiceImpl("p1")));
        closeLater(RpcTests.provider(registry, new TestServiceImpl("p2")));
        RpcClient client = closeLater(RpcTests.client(RpcTests.registry(zk.connectString(), registry.root())));
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").loadBalancer("round-robin")
                .timeout(Duration.ofSeconds(2)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> spread(stub, 10).size() == 2);

        zk.close();
        zk = null;
        for (int i = 0; i < 20; i++) {
            assertThat(spread(stub, 10)).as("calls during the outage use the cached providers")
                    .containsOnlyKeys("p1", "p2");
            sleep(100); // pacing, not waiting: the calls are spread over the outage
        }

        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", zkPort);
        closeLater(RpcTests.provider(RpcTests.registry(zk.connectString(), registry.root()),
                new TestServiceImpl("p3")));
        await().atMost(15, TimeUnit.SECONDS).until(() -> spread(stub, 12).size() == 3);
        assertThat(spread(stub, 12)).containsOnlyKeys("p1", "p2", "p3");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
