package io.sluice.it;

import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ListOffsetsPartition;
import io.sluice.remoting.protocol.ListOffsetsRequest;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import io.sluice.remoting.transport.TransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A thousand connections each pipelining thousands of small requests at a broker, while a good client sends one
 * request at a time: the good client's requests keep being answered within a bound (the flood does not stall it,
 * as it once did for 35 s), and every flood connection gets all its answers too.
 */
class PipeliningFloodTest {
    private static final int CONNECTIONS = 1_000;
    private static final int REQUESTS = 4_096;

    @TempDir
    Path dir;

    private Standalone cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPipeliningFloodNeitherStallsAGoodClientNorGoesUnserved() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 1));
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic("t", 1, 1));
        }
        InetSocketAddress broker = cluster.brokers().get(0).address();
        ListOffsetsRequest request = ListOffsetsRequest.of(List.of(
                ListOffsetsPartition.of("t", 0, ListOffsetsRequest.LATEST)));

        try (RemotingClient client = new RemotingClient("good", new TransportConfig(), null)) {
            Connection good = client.connect(broker).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                good.request(ApiKey.LIST_OFFSETS, request, null, 5_000).get(5, TimeUnit.SECONDS).close();
                return true; // the broker leads t-0
            });
            List<Long> latenciesMs = new ArrayList<>();
            long floodMs;
            try (FloodClients flood = new FloodClients(broker, CONNECTIONS,
                    HostilePeers.requestFrame(ApiKey.LIST_OFFSETS, request), REQUESTS)) {
                long start = System.nanoTime();
                flood.start();
                long deadline = start + TimeUnit.SECONDS.toNanos(180);
                while (flood.answers() < flood.expectedAnswers() && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    try {
                        good.request(ApiKey.LIST_OFFSETS, request, null, 60_000).get(60, TimeUnit.SECONDS).close();
                    } catch (ExecutionException e) {
                        throw new AssertionError("the good client's request failed after " + TimeUnit.NANOSECONDS
                                .toMillis(System.nanoTime() - t0) + " ms of the flood: " + e.getCause(), e);
                    }
                    latenciesMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                }
                floodMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(flood.answers()).as("answers to the flood after %d ms", floodMs)
                        .isEqualTo(flood.expectedAnswers());
                assertThat(flood.complete()).as("flood connections with all their answers").isEqualTo(CONNECTIONS);
                assertThat(flood.errors()).isZero();
            }
            Collections.sort(latenciesMs);
            long p99 = latenciesMs.get((int) Math.ceil(latenciesMs.size() * 0.99) - 1);
            long max = latenciesMs.get(latenciesMs.size() - 1);
            System.out.printf("flood of %d x %d requests served in %d ms; the good client's %d requests: p50 %d ms,"
                    + " p99 %d ms, max %d ms%n", CONNECTIONS, REQUESTS, floodMs, latenciesMs.size(),
                    latenciesMs.get(latenciesMs.size() / 2), p99, max);
            assertThat(p99).as("p99 latency of the good client during the flood, ms").isLessThan(3_000);
            assertThat(max).as("longest wait of the good client during the flood, ms").isLessThan(10_000);
        }
    }
}
