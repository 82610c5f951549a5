package io.sluice.rpc;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.rpc.testing.ProviderMain;
import io.sluice.rpc.testing.ProviderProcess;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A provider JVM that installs no shutdown hook of its own, stopped with SIGTERM while a call is running in it, still
 * shuts down gracefully: the call in flight is answered, the provider leaves the registry, and the JVM exits. The
 * server's own hook ({@code sluice.rpc.server.shutdown.hook}, on by default, as Dubbo's) does it; without it the JVM
 * exits at once and the call fails with its connection.
 */
class SigtermShutdownTest {
    private static final long LAG_MS = 1_500;

    @TempDir
    Path dir;
    private EmbeddedZooKeeper zk;
    private ProviderProcess provider;
    private RpcClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (provider != null) {
            provider.kill();
        }
        if (zk != null) {
            zk.close();
        }
    }

    @Test
    void sigtermAnswersTheCallInFlightAndDeregisters() throws Exception {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
        RegistryConfig registry = RpcTests.registry(zk);
        provider = ProviderProcess.start(zk.connectString(), registry.root(), "p0", 100, 10_000, LAG_MS);
        provider.port();
        client = RpcClient.builder().registry(RpcTests.registry(zk.connectString(), registry.root())).build();
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").timeout(Duration.ofSeconds(30))
                .retries(0));
        await().atMost(10, TimeUnit.SECONDS).until(() -> client.providers(TestService.class.getName(), "1.0", "")
                .size() == 1);

        CompletableFuture<String> call = CompletableFuture.supplyAsync(stub::lagged);
        await("the call runs in the provider").atMost(30, TimeUnit.SECONDS)
                .until(() -> provider.output().contains(ProviderMain.LAGGED));
        provider.terminate();

        String answer;
        try {
            answer = call.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            int exit = provider.awaitExit(10_000);
            throw new AssertionError("the call in flight at SIGTERM failed: " + e.getCause() + "; provider exit "
                    + exit + ", output:\n"
                    + String.join("\n", provider.output()), e);
        }
        assertThat(answer).as("the answer to the call in flight at SIGTERM").isEqualTo("p0");
        try (RegistryClient admin = RegistryClient.connect(RpcTests.registry(zk.connectString(), registry.root()))) {
            await("the provider leaves the registry").atMost(30, TimeUnit.SECONDS)
                    .until(() -> admin.services().providers(TestService.class.getName() + ":1.0").isEmpty());
        }
        assertThat(provider.awaitExit(30_000)).as("exit code after SIGTERM (128 + 15)").isEqualTo(143);
        assertThat(provider.output()).anyMatch(line -> line.contains("closing gracefully"));
    }
}
