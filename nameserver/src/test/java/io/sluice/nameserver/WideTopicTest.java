package io.sluice.nameserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.CreateTopicRequest;
import io.sluice.remoting.protocol.CreateTopicResponse;
import io.sluice.remoting.protocol.GetRoutesRequest;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.TopicRoute;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import io.sluice.remoting.transport.TransportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nameserver (with its controller) over loopback, an embedded ZooKeeper, and three brokers that are registry
 * sessions: a topic of 10,000 partitions with replication factor 3 is created through CREATE_TOPIC as a hundred
 * registry nodes and routed with a leader on every partition; when a broker's registration goes, every partition it
 * led gets an in-sync leader with its epoch bumped once, and it leaves every in-sync set; GET_ROUTES answers only the
 * topics asked for, and names-only lists every topic without routes.
 */
class WideTopicTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    private RegistryClient session(EmbeddedZooKeeper zk) {
        return track(RegistryClient.connect(new RegistryConfig().connect("zookeeper://" + zk.connectString())
                .root("/wide").sessionTimeoutMs(5_000).connectionTimeoutMs(5_000).retryBaseMs(50).retryMaxMs(500)
                .watchCoalesceMs(10)));
    }

    private RegistryClient broker(EmbeddedZooKeeper zk, int id) {
        RegistryClient client = session(zk);
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = 1; // nothing listens there: the nameserver learns of the broker's death from its registration
        b.rack = "";
        b.startedAtMs = 1L;
        client.brokers().register(b);
        return client;
    }

    private static <T> T call(Connection c, ApiKey api, Object request) throws Exception {
        try (Response response = c.request(api, request, null, 60_000).get(60, TimeUnit.SECONDS)) {
            return response.message();
        }
    }

    @Test
    void tenThousandPartitionsAreCreatedLedAndFailedOverInBatches() throws Exception {
        EmbeddedZooKeeper zk = track(EmbeddedZooKeeper.start(dir, "127.0.0.1", 0));
        broker(zk, 1);
        RegistryClient two = broker(zk, 2);
        broker(zk, 3);
        NameServer ns = track(new NameServer(new NameServerConfig().host("127.0.0.1").port(0).probeBrokers(false)
                .probeController(false), session(zk), new SimpleMeterRegistry()).start());
        await().atMost(Duration.ofSeconds(20)).until(() -> ns.routes().brokers().size() == 3
                && ns.controller().isActive());
        RemotingClient client = track(new RemotingClient("test", new TransportConfig(), null));
        Connection c = client.connect(ns.address()).get(10, TimeUnit.SECONDS);

        CreateTopicRequest create = new CreateTopicRequest();
        create.topic = "wide";
        create.partitions = 10_000;
        create.replicationFactor = 3;
        CreateTopicResponse created = call(c, ApiKey.CREATE_TOPIC, create);
        assertThat(created.route.partitions).hasSize(10_000);
        CreateTopicRequest small = new CreateTopicRequest();
        small.topic = "small";
        small.partitions = 2;
        call(c, ApiKey.CREATE_TOPIC, small);
        await().atMost(Duration.ofSeconds(30)).until(() -> ns.routes().topicNames().size() == 2);

        TopicRoute before = ns.routes().route("wide");
        assertThat(before.partitions).hasSize(10_000).allSatisfy(p -> {
            assertThat(p.leader).isIn(1, 2, 3);
            assertThat(p.isr).containsExactlyInAnyOrderElementsOf(p.replicas);
        });
        assertThat(nodesUnder(zk, "/wide/topics/wide")).isEqualTo(102); // topic, states/, 100 chunks

        GetRoutesRequest named = new GetRoutesRequest();
        named.topics = List.of("small", "missing");
        GetRoutesResponse some = call(c, ApiKey.GET_ROUTES, named);
        assertThat(some.topics).extracting(t -> t.topic).containsExactly("small");
        assertThat(some.unknownTopics).containsExactly("missing");
        GetRoutesRequest names = new GetRoutesRequest();
        names.namesOnly = true;
        GetRoutesResponse listed = call(c, ApiKey.GET_ROUTES, names);
        assertThat(listed.topicNames).containsExactly("small", "wide");
        assertThat(listed.topics).isNullOrEmpty(); // an empty list is not sent

        two.close(); // broker 2's registration goes

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (PartitionRoute p : ns.routes().route("wide").partitions) {
                if (p.leader < 0 || p.leader == 2 || p.isr.contains(2)) {
                    return false;
                }
            }
            return true;
        });
        List<PartitionRoute> after = ns.routes().route("wide").partitions;
        int moved = 0;
        for (PartitionRoute was : before.partitions) {
            PartitionRoute now = after.get(was.partition);
            assertThat(now.isr).contains(now.leader).doesNotContain(2);
            if (was.leader == 2) {
                moved++;
                assertThat(was.isr).contains(now.leader);
                assertThat(now.leaderEpoch).isEqualTo(was.leaderEpoch + 1);
            } else {
                assertThat(now.leader).isEqualTo(was.leader);
                assertThat(now.leaderEpoch).isEqualTo(was.leaderEpoch);
            }
        }
        assertThat(moved).isGreaterThan(3_000);
    }

    private static int nodesUnder(EmbeddedZooKeeper zk, String path) throws Exception {
        ZooKeeper raw = new ZooKeeper(zk.connectString(), 5_000, e -> { });
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> raw.getState() == ZooKeeper.States.CONNECTED);
            return count(raw, path);
        } finally {
            raw.close();
        }
    }

    private static int count(ZooKeeper raw, String path) throws Exception {
        int n = 1;
        for (String child : raw.getChildren(path, false)) {
            n += count(raw, path + "/" + child);
        }
        return n;
    }
}
