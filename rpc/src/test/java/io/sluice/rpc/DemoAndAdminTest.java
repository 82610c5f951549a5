package io.sluice.rpc;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.rpc.admin.ProviderSummary;
import io.sluice.rpc.admin.RpcAdmin;
import io.sluice.rpc.admin.ServiceSummary;
import io.sluice.rpc.demo.RpcDemo;
import io.sluice.rpc.demo.UserService;
import io.sluice.rpc.demo.UserServiceImpl;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import io.sluice.rpc.testing.TestServiceImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The entry points of {@code sluice rpc demo} and {@code sluice rpc list}; scanning for @RpcService classes. */
class DemoAndAdminTest {
    @TempDir
    Path dir;

    @Test
    void theDemoCallsEveryProviderAndPrintsLatencies() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RpcDemo.Result result = RpcDemo.run(null, 3, 300, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(result.failures()).isZero();
        assertThat(result.answersByProvider()).containsOnlyKeys("provider-1", "provider-2", "provider-3");
        assertThat(result.answersByProvider().values()).containsOnly(100);
        assertThat(printed).contains("call 1: Hello caller-0 from provider-", "latency (us): p50=",
                "provider-1   answered", "service io.sluice.rpc.demo.GreetingService:1.0", "providers (3)");
    }

    @Test
    void listShowsServicesProvidersAndConsumers() {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0)) {
            RegistryConfig registry = RpcTests.registry(zk);
            try (RpcServer users = RpcServer.builder().registry(registry).config(RpcTests.serverConfig())
                    .scan("io.sluice.rpc.demo").start();
                 RpcServer tests = RpcTests.provider(RpcTests.registry(zk.connectString(), registry.root()),
                         new TestServiceImpl("t"));
                 RpcClient client = RpcTests.client(RpcTests.registry(zk.connectString(), registry.root()));
                 RegistryClient admin = RegistryClient.connect(RpcTests.registry(zk.connectString(),
                         registry.root()))) {
                assertThat(users.serviceKeys()).as("scan found the demo's @RpcService classes")
                        .containsExactly("io.sluice.rpc.demo.GreetingService:1.0",
                                "io.sluice.rpc.demo.UserService:1.0");
                UserService stub = client.stub(UserService.class, o -> o.version("1.0"));
                await().atMost(5, TimeUnit.SECONDS).until(() -> client.providers(UserService.class.getName(), "1.0",
                        "").size() == 1);
                assertThat(stub.listUser(2).getResult()).hasSize(UserServiceImpl.PAGE_SIZE);
                assertThat(stub.getUser(5)).isEqualTo(UserServiceImpl.newUser(5));

                List<ServiceSummary> services = RpcAdmin.list(admin);
                assertThat(services).extracting(ServiceSummary::serviceKey).containsExactly(
                        "io.sluice.rpc.demo.GreetingService:1.0", "io.sluice.rpc.demo.UserService:1.0",
                        TestService.class.getName() + ":1.0");
                ServiceSummary userService = services.get(1);
                assertThat(userService.providers()).singleElement().satisfies(p -> {
                    assertThat(p.address()).isEqualTo("127.0.0.1:" + users.port());
                    assertThat(p.weight()).isEqualTo(100);
                    assertThat(p.version()).isEqualTo("1.0");
                    assertThat(p.uptimeMs(System.currentTimeMillis())).isGreaterThanOrEqualTo(0);
                });
                assertThat(userService.consumers()).hasSize(1);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                RpcAdmin.print(services, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                        System.currentTimeMillis());
                assertThat(bytes.toString(StandardCharsets.UTF_8)).contains(
                        "service io.sluice.rpc.demo.UserService:1.0",
                        "127.0.0.1:" + users.port(), "weight=100", "version=1.0", "uptime=", "consumers (1)");
            }
        }
    }

    @Test
    void uptimeReadsLikeADuration() {
        ProviderSummary p = new ProviderSummary("a", "a", 1, "", "", 1_000, java.util.Map.of());
        assertThat(p.uptimeMs(62_000)).isEqualTo(61_000);
    }
}
