package io.sluice.rpc;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.transport.TransportConfig;
import io.sluice.rpc.testing.ProviderProcess;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three providers in separate JVMs (weights 100, 200, 300) and a consumer in this one: each balancer's
 * distribution matches its expectation. The providers are shared by the tests, which only call them (in any order);
 * the tests that kill or freeze a provider have JVMs of their own in {@link ProviderFailureTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class MultiProcessTest {
    private static final int CALLS = 1_200;
    private static final int SESSION_TIMEOUT_MS = 2_000;

    @TempDir
    static Path dir;
    private EmbeddedZooKeeper zk;
    private RegistryConfig registry;
    private final List<ProviderProcess> providers = new ArrayList<>();
    private RpcClient client;

    @BeforeAll
    void startProviders() throws Exception {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
        registry = RpcTests.registry(zk);
        int[] weights = {100, 200, 300};
        for (int i = 0; i < 3; i++) {
            // w300's lagged() takes 50 ms, the others' answer at once (a gap that scheduling delays on a loaded
            // machine, a few ms, cannot close)
            providers.add(ProviderProcess.start(zk.connectString(), registry.root(), "w" + weights[i], weights[i],
                    SESSION_TIMEOUT_MS, weights[i] == 300 ? 50 : 0));
        }
        for (ProviderProcess p : providers) {
            p.port();
        }
        // heartbeats every 200 ms, a provider silent for 600 ms (and owed no answers) is dead to this consumer
        client = RpcClient.builder().registry(RpcTests.registry(zk.connectString(), registry.root()))
                .transport(new TransportConfig().heartbeatIntervalMs(200).livenessTimeoutMs(600)).build();
    }

    @AfterAll
    void stopProviders() throws Exception {
        if (client != null) {
            client.close();
        }
        for (ProviderProcess p : providers) {
            p.kill();
        }
        if (zk != null) {
            zk.close();
        }
    }

    private TestService stub(String balancer) {
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").loadBalancer(balancer)
                .timeout(Duration.ofSeconds(5)));
        await().atMost(10, TimeUnit.SECONDS).until(() -> client.providers(TestService.class.getName(), "1.0", "")
                .size() == 3);
        return stub;
    }

    private static Map<String, Integer> spread(TestService stub, int calls) {
        Map<String, Integer> byProvider = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            byProvider.merge(stub.whoami(), 1, Integer::sum);
        }
        return byProvider;
    }

    @Test
    void weightedRandomFollowsTheWeights() {
        Map<String, Integer> spread = spread(stub("random"), CALLS);
        // expected 200 / 400 / 600 of 1200; sigma <= 18, bound +-100 (over 5 sigma)
        assertThat(spread.get("w100")).isBetween(100, 300);
        assertThat(spread.get("w200")).isBetween(300, 500);
        assertThat(spread.get("w300")).isBetween(500, 700);
    }

    @Test
    void smoothRoundRobinGivesExactShares() {
        Map<String, Integer> spread = spread(stub("round-robin"), CALLS);
        // one thread, a stable list: every cycle of 6 calls gives 1, 2, 3 to the weights 100, 200, 300
        assertThat(spread).containsEntry("w100", 200).containsEntry("w200", 400).containsEntry("w300", 600);
    }

    @Test
    void leastActiveWithSequentialCallsBreaksEveryTieByWeight() {
        Map<String, Integer> spread = spread(stub("least-active"), CALLS);
        // one call at a time: every pick is a tie at zero in flight, broken by weighted random (bounds as above)
        assertThat(spread.get("w100")).isBetween(100, 300);
        assertThat(spread.get("w200")).isBetween(300, 500);
        assertThat(spread.get("w300")).isBetween(500, 700);
    }

    @Test
    void consistentHashPinsEachKeyToOneProvider() {
        TestService stub = stub("consistent-hash");
        Map<String, String> owner = new HashMap<>();
        Map<String, Integer> keysPerProvider = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String key = "customer-" + i;
            String first = stub.whoamiFor(key);
            owner.put(key, first);
            keysPerProvider.merge(first, 1, Integer::sum);
            for (int repeat = 0; repeat < 3; repeat++) {
                assertThat(stub.whoamiFor(key)).as("key %s stays on its provider", key).isEqualTo(first);
            }
        }
        // 160 virtual nodes each: expected ~100 keys per provider (weights do not apply); bound >= 50
        assertThat(keysPerProvider).containsOnlyKeys("w100", "w200", "w300");
        assertThat(keysPerProvider.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(50));
    }

    @Test
    void latencyAwareSteersAwayFromTheSlowProvider() {
        TestService stub = stub("latency-aware");
        Map<String, Integer> spread = new HashMap<>();
        for (int i = 0; i < 600; i++) {
            spread.merge(stub.lagged(), 1, Integer::sum);
        }
        System.out.println("latency-aware spread: " + spread);
        // w300 answers lagged() in 50 ms, the others in about 1 ms: it wins a head-to-head only after its
        // estimate decayed (1 s time constant) while idle, so it gets a small share despite the largest weight;
        // between the fast two, cost divides by weight, so w200 wins their pairs and w100 gets at least the pairs
        // it meets w300 in. Bounds: w300 under 25%, half its fair share by weight (50%) (about 10% on a quiet
        // machine; a starved CPU slows the fast two as well and narrows the gap: 17% at a load of 55), w100 over
        // 15%, w200 over 30%.
        assertThat(spread.getOrDefault("w300", 0)).isLessThan(150);
        assertThat(spread.getOrDefault("w100", 0)).isGreaterThan(90);
        assertThat(spread.getOrDefault("w200", 0)).isGreaterThan(180);
    }
}
