package io.sluice.rpc;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryConfig;
import io.sluice.rpc.testing.RpcTests;
import io.sluice.rpc.testing.TestService;
import io.sluice.rpc.testing.TestServiceImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A rolling restart of every provider under load fails no call: each provider deregisters, serves on while
 * consumers learn of it, refuses new calls (which consumers send elsewhere) and finishes those in flight before
 * it stops. The calls use the default options: not idempotent, no explicit retries.
 */
class RollingRestartTest {
    private static final int CLIENT_THREADS = 4;
    private static final long MAX_CALLS_PER_THREAD = 50_000;

    @TempDir
    Path dir;
    private EmbeddedZooKeeper zk;
    private final List<RpcServer> providers = new ArrayList<>();
    private RpcClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        providers.forEach(RpcServer::close);
        if (zk != null) {
            zk.close();
        }
    }

    @Test
    void restartingEveryProviderOneByOneUnderLoadFailsNoCall() throws Exception {
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
        RegistryConfig registry = RpcTests.registry(zk);
        for (int i = 0; i < 3; i++) {
            providers.add(RpcTests.provider(registry, new TestServiceImpl("p" + i)));
        }
        client = RpcTests.client(RpcTests.registry(zk.connectString(), registry.root()));
        TestService stub = client.stub(TestService.class, o -> o.version("1.0").loadBalancer("round-robin"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> client.providers(TestService.class.getName(), "1.0", "")
                .size() == 3);

        AtomicBoolean done = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Map<String, AtomicLong> answeredBy = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CLIENT_THREADS; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                for (long i = 0; i < MAX_CALLS_PER_THREAD && !done.get(); i++) {
                    try {
                        String text = id + "-" + i;
                        assertThat(stub.echo(text)).isEqualTo(text);
                        answeredBy.computeIfAbsent(stub.whoami(), k -> new AtomicLong()).incrementAndGet();
                        ok.addAndGet(2);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }, "load-" + t);
            thread.start();
            threads.add(thread);
        }
        await().atMost(5, TimeUnit.SECONDS).until(() -> ok.get() > 200);
        for (int i = 0; i < 3; i++) {
            long before = ok.get();
            providers.get(i).close();
            providers.set(i, RpcTests.provider(registry, new TestServiceImpl("p" + i + "'")));
            String restarted = "p" + i + "'";
            await().atMost(10, TimeUnit.SECONDS).until(() -> answeredBy.containsKey(restarted));
            assertThat(ok.get()).as("calls went on during the restart").isGreaterThan(before);
        }
        done.set(true);
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertThat(failures).as("failed calls").isEmpty();
        assertThat(ok.get()).isGreaterThan(1000);
        assertThat(answeredBy.keySet()).contains("p0'", "p1'", "p2'");
    }
}
