package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceRegistryTest {
    private static final String KEY = "io.sluice.demo.UserService:1.0.0";

    @TempDir
    static Path dir;
    static EmbeddedZooKeeper zk;

    @BeforeAll
    static void startZooKeeper() {
        zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", 0);
    }

    @AfterAll
    static void stopZooKeeper() {
        zk.close();
    }

    private static ServiceInstance provider(int port) {
        return ServiceInstance.builder(KEY).address("127.0.0.1", port).weight(port - 20_000).version("1.0.0")
                .group("blue").metadata(Map.of("zone", "z" + port)).startedAtMs(42).build();
    }

    private static List<Integer> ports(List<ServiceInstance> list) {
        return list.stream().map(ServiceInstance::port).toList();
    }

    @Test
    void subscribersFollowProvidersAsTheyComeAndGo() {
        RegistryConfig config = ZkTests.config(zk);
        List<RegistryClient> providers = new ArrayList<>();
        try (RegistryClient consumer = RegistryClient.connect(config)) {
            List<List<Integer>> seen = new CopyOnWriteArrayList<>();
            AutoCloseable sub = consumer.services().subscribe(KEY, list -> seen.add(ports(list)));
            await().until(() -> seen.contains(List.of()));

            for (int port = 20881; port <= 20883; port++) {
                RegistryClient p = RegistryClient.connect(ZkTests.sameRoot(config));
                providers.add(p);
                p.services().register(provider(port));
            }
            await().until(() -> seen.get(seen.size() - 1).equals(List.of(20881, 20882, 20883)));
            ServiceInstance first = consumer.services().providers(KEY).get(0);
            assertThat(first).isEqualTo(provider(20881));
            assertThat(first.instanceId()).isEqualTo("127.0.0.1:20881");
            assertThat(first.weight()).isEqualTo(881);
            assertThat(first.metadata()).containsEntry("zone", "z20881");
            assertThat(consumer.services().services()).containsExactly(KEY);

            providers.get(1).close();
            await().until(() -> seen.get(seen.size() - 1).equals(List.of(20881, 20883)));
            assertThat(ports(consumer.services().providers(KEY))).containsExactly(20881, 20883);

            providers.get(0).services().unregister(provider(20881));
            await().until(() -> seen.get(seen.size() - 1).equals(List.of(20883)));

            sub.close();
            int calls = seen.size();
            providers.get(2).services().unregister(provider(20883));
            await().until(() -> consumer.services().providers(KEY).isEmpty());
            assertThat(seen).hasSize(calls);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            providers.forEach(RegistryClient::close);
        }
    }

    @Test
    void consumersAreListedWithTheirMetadataUntilTheyLeave() {
        RegistryConfig config = ZkTests.config(zk);
        try (RegistryClient admin = RegistryClient.connect(config);
                RegistryClient c1 = RegistryClient.connect(ZkTests.sameRoot(config))) {
            c1.services().registerConsumer(KEY, "app-1", Map.of("host", "10.0.0.9", "app", "checkout"));
            admin.services().registerConsumer(KEY, "app-2", Map.of());
            List<Map<String, String>> consumers = admin.services().consumers(KEY);
            assertThat(consumers).hasSize(2);
            assertThat(consumers.get(0)).containsEntry(ServiceRegistry.CONSUMER_ID, "app-1")
                    .containsEntry("app", "checkout").containsEntry("host", "10.0.0.9");
            assertThat(consumers.get(1)).containsExactly(Map.entry(ServiceRegistry.CONSUMER_ID, "app-2"));

            c1.close();
            assertThat(admin.services().consumers(KEY)).extracting(m -> m.get(ServiceRegistry.CONSUMER_ID))
                    .containsExactly("app-2");
            admin.services().unregisterConsumer(KEY, "app-2");
            assertThat(admin.services().consumers(KEY)).isEmpty();
        }
    }

    @Test
    void reRegisteringUpdatesAndBadInstancesAreRefused() {
        try (RegistryClient client = RegistryClient.connect(ZkTests.config(zk))) {
            client.services().register(provider(20890));
            ServiceInstance heavier = ServiceInstance.builder(KEY).address("127.0.0.1", 20890).weight(500).build();
            client.services().register(heavier);
            assertThat(client.services().providers(KEY)).containsExactly(heavier);

            for (ServiceInstance bad : List.of(
                    ServiceInstance.builder("a/b").address("127.0.0.1", 1).build(),
                    ServiceInstance.builder(KEY).address("", 1).build(),
                    ServiceInstance.builder(KEY).address("127.0.0.1", 0).build(),
                    ServiceInstance.builder(KEY).address("127.0.0.1", 1).weight(-1).build())) {
                assertThatThrownBy(() -> client.services().register(bad)).as(bad.toString())
                        .isInstanceOfSatisfying(SluiceException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
            }
        }
    }

    @Test
    void anInstanceIdHeldByAnotherAddressIsRefused() {
        RegistryConfig config = ZkTests.config(zk);
        try (RegistryClient a = RegistryClient.connect(config);
                RegistryClient b = RegistryClient.connect(ZkTests.sameRoot(config))) {
            a.services().register(ServiceInstance.builder(KEY).instanceId("node-1").address("127.0.0.1", 20901)
                    .build());
            assertThatThrownBy(() -> b.services().register(ServiceInstance.builder(KEY).instanceId("node-1")
                    .address("127.0.0.1", 20902).build()))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessageContaining("127.0.0.1:20901");
        }
    }
}
