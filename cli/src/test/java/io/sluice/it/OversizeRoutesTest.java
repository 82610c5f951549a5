package io.sluice.it;

import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serdes;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.GetRoutesRequest;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.TransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A client using more topics than the routes of one nameserver answer can hold (FRAME_TOO_LARGE) asks for them
 * in halves, and so on, instead of failing: here a nameserver with 16 KiB frames and five topics of 300 partitions
 * (about 4 KB of routes each).
 */
class OversizeRoutesTest {
    private static final int MAX_FRAME = 16 * 1024;
    private static final int TOPICS = 5;

    @TempDir
    Path dir;

    private Standalone standalone;

    @AfterEach
    void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    void aProducerOfMoreTopicsThanOneRoutesAnswerHoldsGetsThemInParts() throws Exception {
        standalone = Standalone.start(new StandaloneSettings("127.0.0.1", dir, 0, -1, 1, new RegistryConfig(),
                new NameServerConfig().port(0).metricsPort(-1)
                        .transport(new TransportConfig().maxFrameBytes(MAX_FRAME)),
                i -> new BrokerConfig().port(0).metricsPort(-1)));
        List<String> topics = new ArrayList<>();
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            for (int t = 0; t < TOPICS; t++) {
                topics.add("topic-" + t);
                admin.createTopic(new NewTopic("topic-" + t, 300, 1));
            }
        }
        String[] hostPort = standalone.nameservers().split(",")[0].split(":");
        try (RemotingClient raw = new RemotingClient("raw", new TransportConfig(), null)) {
            Connection c = raw.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))
                    .get(10, TimeUnit.SECONDS);
            GetRoutesRequest all = new GetRoutesRequest();
            all.topics = topics;
            Throwable refused = catchThrowable(() -> c.request(ApiKey.GET_ROUTES, all, null, 10_000)
                    .get(15, TimeUnit.SECONDS).close());
            assertThat(refused).as("the routes of all five do not fit one answer").isInstanceOf(ExecutionException.class);
            assertThat(SluiceException.from(refused.getCause()).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        }

        List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
        try (Producer<byte[], String> producer = Producer.create(new ProducerConfig()
                .nameservers(standalone.nameservers()).clientId("many-topics").maxBlockMs(10_000),
                Serdes.bytes(), Serdes.string())) {
            for (String topic : topics) {   // one topic more in each route request: the last ones need halves
                assertThat(producer.send(new ProducerRecord<>(topic, 0, null, "first")).get(60, TimeUnit.SECONDS)
                        .offset()).as("first record of %s", topic).isZero();
            }
            for (int round = 0; round < 3; round++) {
                for (String topic : topics) {
                    for (int p = 0; p < 300; p += 50) {
                        sends.add(producer.send(new ProducerRecord<>(topic, p, null, topic + "/" + p)));
                    }
                }
            }
            producer.flush();
            for (CompletableFuture<RecordMetadata> send : sends) {
                assertThat(send.get(60, TimeUnit.SECONDS).offset()).isGreaterThanOrEqualTo(0);
            }
        }
        assertThat(sends).hasSize(3 * TOPICS * 6);
    }
}
