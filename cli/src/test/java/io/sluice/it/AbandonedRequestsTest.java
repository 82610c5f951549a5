package io.sluice.it;

import io.sluice.broker.server.BrokerConfig;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a closed connection left parked at a broker is dropped at once: its long-polling fetches give their places
 * among the broker's parked fetches back, so other consumers still get long polls instead of busy answers.
 */
class AbandonedRequestsTest {
    private static final int MAX_PARKED = 4;

    @TempDir
    Path dir;

    private Standalone cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static FetchRequest longPoll(int maxWaitMs) {
        // offset 0 is the log end of an empty partition: nothing to read, so the fetch parks
        return Fetches.one("quiet", 0, 0, 1024, maxWaitMs);
    }

    /** How long a long poll of 2 s took to be answered. */
    private static long pollMs(Connection connection) throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<Response> poll = connection.request(ApiKey.FETCH, longPoll(2_000), null, 10_000);
        poll.get(10, TimeUnit.SECONDS).close();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @Test
    void fetchesParkedByAClosedConnectionFreeTheirPlacesAtOnce() throws Exception {
        cluster = Standalone.start(new StandaloneSettings("127.0.0.1", dir, 0, -1, 1, new RegistryConfig(),
                new NameServerConfig().port(0).metricsPort(-1),
                i -> new BrokerConfig().port(0).metricsPort(-1).maxParkedFetches(MAX_PARKED)));
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic("quiet", 1, 1));
        }
        InetSocketAddress broker = cluster.brokers().get(0).address();
        try (RemotingClient client = new RemotingClient("abandon-test", new TransportConfig(), null)) {
            Connection probe = client.connect(broker).get(10, TimeUnit.SECONDS);
            // the broker leads quiet-0 once a short poll comes back after its wait, not at once with an error
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try (Response r = probe.request(ApiKey.FETCH, longPoll(10), null, 5_000).get(5, TimeUnit.SECONDS)) {
                    return r.<FetchResponse>message().partitions.get(0).errorCode == 0;
                }
            });

            Connection leaving = client.connect(broker).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < MAX_PARKED; i++) {
                leaving.request(ApiKey.FETCH, longPoll(60_000), null, 70_000);
            }
            // every place is taken once another long poll is answered at once instead of waiting
            await().atMost(Duration.ofSeconds(30)).until(() -> pollMs(probe) < 1_000);
            leaving.close(); // the client goes away with its fetches still parked

            // another consumer's long poll parks (and waits its 2 s) instead of being answered at once
            await().atMost(Duration.ofSeconds(10)).until(() -> pollMs(probe) >= 1_500);
        }
    }
}
