package io.sluice.rpc;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.TransportConfig;
import io.sluice.rpc.testing.ProviderProcess;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Providers in separate JVMs (weights 100, 200, 300) and a consumer in this one, new for every test because each
 * test kills or freezes a provider: a provider killed with SIGKILL during calls fails no call under failover and
 * leaves the provider list; a hung one gets no new calls once silent past the liveness timeout and leaves the consumer's pool before the
 * registry notices.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class ProviderFailureTest {
    private static final int SESSION_TIMEOUT_MS = 2_000;
    private static final String KEY = TestService.class.getName() + ":1.0";

    @TempDir
    Path dir;
    private EmbeddedZooKeeper zk;
    private RegistryConfig registry;
    private final List<ProviderProcess> providers = new ArrayList<>();
    private RpcClient client;

    @BeforeEach
    void startProviders() throws Exception {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
        registry = RpcTests.registry(zk);
        int[] weights = {100, 200, 300};
        for (int weight : weights) {
            providers.add(ProviderProcess.start(zk.connectString(), registry.root(), "w" + weight, weight,
                    SESSION_TIMEOUT_MS));
        }
        for (ProviderProcess p : providers) {
            p.port();
        }
        // heartbeats every 200 ms, a provider silent for 600 ms (and owed no answers) is dead to this consumer
        client = RpcClient.builder().registry(RpcTests.registry(zk.connectString(), registry.root()))
                .transport(new TransportConfig().heartbeatIntervalMs(200).livenessTimeoutMs(600)).build();
    }

    @AfterEach
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

    private static Map<String, Integer> spread(TestService stub, int calls) {
        Map<String, Integer> byProvider = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            byProvider.merge(stub.whoami(), 1, Integer::sum);
        }
        return byProvider;
    }

    @Test
    void aProviderKilledWithSigkillDuringCallsFailsNoCallUnderFailover() throws Exception {
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").loadBalancer("round-robin")
                .cluster("failover").retries(2).timeout(Duration.ofSeconds(5)));
        await().atMost(10, TimeUnit.SECONDS).until(() -> client.providers(TestService.class.getName(), "1.0", "")
                .size() == 3);
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Map<String, AtomicLong> answeredBy = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 100_000 && !done.get(); i++) {
                    try {
                        answeredBy.computeIfAbsent(stub.whoami(), k -> new AtomicLong()).incrementAndGet();
                        ok.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }, "caller-" + t);
            thread.start();
            threads.add(thread);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> ok.get() > 500);
        ProviderProcess victim = providers.get(2);
        victim.kill();
        assertThat(victim.isAlive()).isFalse();
        long afterKill = ok.get();
        await().atMost(10, TimeUnit.SECONDS).until(() -> ok.get() > afterKill + 1_000);

        // the consumer stopped using it at once (its connection died); the registry drops it after the session
        assertThat(client.providers(TestService.class.getName(), "1.0", ""))
                .filteredOn(p -> !p.contains("unusable")).hasSize(2);
        long servedByVictim = answeredBy.get("w300").get();
        await("nothing answered by the dead provider").during(200, TimeUnit.MILLISECONDS).atMost(30, TimeUnit.SECONDS)
                .until(() -> answeredBy.get("w300").get() == servedByVictim);
        try (RegistryClient admin = RegistryClient.connect(RpcTests.registry(zk.connectString(), registry.root()))) {
            await().atMost(15, TimeUnit.SECONDS).until(() -> admin.services().providers(KEY).size() == 2);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> client.providers(TestService.class.getName(), "1.0", "")
                .size() == 2);
        done.set(true);
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertThat(failures).as("failed calls").isEmpty();
        Set<String> alive = new HashSet<>(List.of("w100", "w200"));
        assertThat(spread(stub, 30).keySet()).isEqualTo(alive);
    }

    @Test
    void aHungProviderGetsNoNewCallsOnceSilentAndLeavesThePoolBeforeTheRegistryNotices() throws Exception {
        ProviderProcess hung = ProviderProcess.start(zk.connectString(), registry.root(), "hung", 100, 30_000);
        providers.add(hung);
        hung.port();
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").loadBalancer("round-robin")
                .cluster("failover").retries(2).timeout(Duration.ofSeconds(5)));
        await().atMost(10, TimeUnit.SECONDS).until(() -> client.providers(TestService.class.getName(), "1.0", "")
                .stream().filter(p -> !p.contains("unusable")).count() == 4);
        assertThat(spread(stub, 30)).containsKey("hung");

        hung.freeze();
        long frozenAt = System.nanoTime();
        Map<String, Integer> during = new HashMap<>();
        List<SluiceException> failed = new ArrayList<>();
        while (System.nanoTime() - frozenAt < TimeUnit.SECONDS.toNanos(3)) {
            try {
                during.merge(stub.whoami(), 1, Integer::sum); // failover retries elsewhere
            } catch (RuntimeException e) {
                failed.add(SluiceException.from(e));
            }
        }
        assertThat(during).doesNotContainKey("hung");
        // slow is not dead: a call the hung provider had already received is awaited until its deadline (it may
        // yet be answered), not failed by a liveness verdict; once silent past the liveness timeout, the connection
        // takes no new calls (they fail over unsent)
        assertThat(failed).hasSizeLessThanOrEqualTo(1)
                .allSatisfy(e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT));
        // once nothing is awaited from it, the consumer drops it from its usable providers; the registry still
        // lists it
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(client.providers(TestService.class.getName(), "1.0", ""))
                        .filteredOn(p -> p.contains("unusable")).anySatisfy(p -> assertThat(p).contains(
                                "127.0.0.1:" + hung.port())));
        try (RegistryClient admin = RegistryClient.connect(RpcTests.registry(zk.connectString(), registry.root()))) {
            assertThat(admin.services().providers(KEY)).extracting(i -> i.port()).contains(hung.port());
        }
        hung.kill();
    }
}
