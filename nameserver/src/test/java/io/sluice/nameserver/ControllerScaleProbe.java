package io.sluice.nameserver;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.PartitionState;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.codec.MessageCodec;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.CreateTopicRequest;
import io.sluice.remoting.protocol.GetRoutesRequest;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import io.sluice.remoting.transport.TransportConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.ZooKeeper;

/**
 * Not a test: a measuring harness for the controller, nameserver and registry at scale (issue 10), run by hand with
 * {@code java -cp <test classpath> io.sluice.nameserver.ControllerScaleProbe [wide]} ({@code wide}: instead of the
 * route measurements, a failover of 100,000 partitions).
 * An embedded ZooKeeper, one real nameserver (with its controller) on loopback, and brokers that are registry
 * sessions (registered, no logs). It prints: time to create topics through CREATE_TOPIC until the nameserver routes
 * every partition, znodes per partition, the failover time of one of 3 brokers holding 3,000 partitions RF3 (from
 * the broker's session close to the controller's last write as seen by the nameserver), and GET_ROUTES time and size.
 */
public final class ControllerScaleProbe {
    private ControllerScaleProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("scale-probe");
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", 0)) {
            create(zk, "/create1k", 1, 1_000, 1);
            create(zk, "/create10x1k", 10, 1_000, 1);
            create(zk, "/create10k", 1, 10_000, 1);
            failover(zk, "/failover", 3);
            if (args.length > 0 && args[0].equals("wide")) {
                failover(zk, "/failover100", 100);
                return;
            }
            routes(zk, 100, 1_000);
        }
    }

    private static RegistryClient session(EmbeddedZooKeeper zk, String root) {
        return RegistryClient.connect(new RegistryConfig().connect("zookeeper://" + zk.connectString()).root(root)
                .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000).watchCoalesceMs(10));
    }

    private static RegistryClient broker(EmbeddedZooKeeper zk, String root, int id) {
        RegistryClient c = session(zk, root);
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = 1; // nothing listens: the probe finds nothing and leaves the broker to its session
        b.rack = "";
        c.brokers().register(b);
        return c;
    }

    private static NameServer nameserver(RegistryClient registry) {
        return new NameServer(new NameServerConfig().host("127.0.0.1").port(0).probeBrokers(false)
                .probeController(false), registry, new SimpleMeterRegistry()).start();
    }

    private static void create(EmbeddedZooKeeper zk, String root, int topics, int partitions, int brokers)
            throws Exception {
        List<RegistryClient> open = new ArrayList<>();
        for (int b = 1; b <= brokers; b++) {
            open.add(broker(zk, root, b));
        }
        RegistryClient nsRegistry = session(zk, root);
        try (NameServer ns = nameserver(nsRegistry);
             RemotingClient client = new RemotingClient("probe", new TransportConfig(), null)) {
            Connection c = client.connect(ns.address()).get(5, TimeUnit.SECONDS);
            long start = System.nanoTime();
            for (int t = 0; t < topics; t++) {
                CreateTopicRequest r = new CreateTopicRequest();
                r.topic = "t" + t;
                r.partitions = partitions;
                r.replicationFactor = 1;
                try (Response resp = c.request(ApiKey.CREATE_TOPIC, r, null, 120_000).get(120, TimeUnit.SECONDS)) {
                    resp.message();
                }
            }
            long created = System.nanoTime();
            while (ns.routes().topicNames().size() < topics) {
                Thread.sleep(1);
            }
            long routed = System.nanoTime();
            System.out.printf("create %d topic(s) x %d partitions: CREATE_TOPIC answered after %d ms, routed after %d"
                    + " ms; znodes under %s: %d (%.2f per partition)%n", topics, partitions,
                    TimeUnit.NANOSECONDS.toMillis(created - start), TimeUnit.NANOSECONDS.toMillis(routed - start), root,
                    countNodes(zk, root), countNodes(zk, root) / (double) (topics * partitions));
        } catch (Exception e) {
            System.out.printf("create %d topic(s) x %d partitions FAILED: %s%n", topics, partitions, e);
        } finally {
            nsRegistry.close();
            for (RegistryClient r : open) {
                r.close();
            }
        }
    }

    private static int countNodes(EmbeddedZooKeeper zk, String root) throws Exception {
        ZooKeeper raw = new ZooKeeper(zk.connectString(), 10_000, e -> { });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (raw.getState() != ZooKeeper.States.CONNECTED && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            return count(raw, root);
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

    private static void failover(EmbeddedZooKeeper zk, String root, int topics) throws Exception {
        RegistryClient b1 = broker(zk, root, 1);
        RegistryClient b2 = broker(zk, root, 2);
        RegistryClient b3 = broker(zk, root, 3);
        RegistryClient nsRegistry = session(zk, root);
        RegistryClient admin = session(zk, root);
        try (NameServer ns = nameserver(nsRegistry)) {
            List<BrokerInfo> live = nsRegistry.brokers().liveBrokers();
            for (int t = 0; t < topics; t++) {
                admin.topics().create(TopicMetadata.withAssignment("f" + t,
                        ReplicaAssigner.assign(live, 1_000, 3, t), new HashMap<>()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while ((ns.routes().topicNames().size() < topics || !ns.controller().isActive())
                    && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long start = System.nanoTime();
            b1.close();
            while (!settled(ns.routes()) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            long done = System.nanoTime();
            System.out.printf("failover: 3 brokers, %d topics x 1000 partitions RF3, broker 1's session closed ->"
                    + " every partition led and in sync without broker 1 in the nameserver's routes after %d ms%s%n",
                    topics, TimeUnit.NANOSECONDS.toMillis(done - start), settled(ns.routes()) ? "" : " (NOT SETTLED)");
        } finally {
            admin.close();
            nsRegistry.close();
            b2.close();
            b3.close();
        }
    }

    private static boolean settled(RouteTable routes) {
        for (String t : routes.topicNames()) {
            for (var p : routes.route(t).partitions) {
                if (p.leader < 0 || p.leader == 1 || p.isr.contains(1)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void routes(EmbeddedZooKeeper zk, int topics, int partitions) throws Exception {
        List<BrokerInfo> live = new ArrayList<>();
        for (int b = 1; b <= 3; b++) {
            BrokerInfo info = new BrokerInfo();
            info.id = b;
            info.host = "127.0.0.1";
            info.port = 9910 + b;
            live.add(info);
        }
        Map<String, TopicMetadata> metadata = new HashMap<>();
        for (int t = 0; t < topics; t++) {
            TopicMetadata m = TopicMetadata.withAssignment("r" + t, ReplicaAssigner.assign(live, partitions, 3, t),
                    new HashMap<>());
            List<PartitionState> withVersions = new ArrayList<>();
            for (PartitionState s : m.partitionStates()) {
                withVersions.add(s.withVersion(0));
            }
            metadata.put(m.name(), new TopicMetadata(m.name(), m.topicId(), 3, Map.of(), withVersions));
        }
        RouteTable table = null;
        long buildStart = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            table = RouteTable.build(i + 1, metadata, live);
        }
        long buildNs = (System.nanoTime() - buildStart) / 5;
        GetRoutesResponse all = table.answer(List.of());
        GetRoutesResponse one = table.answer(List.of("r7"));
        ByteBuf buf = Unpooled.buffer();
        int allBytes = MessageCodec.encode(all, buf);
        buf.clear();
        int oneBytes = MessageCodec.encode(one, buf);
        long encStart = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            buf.clear();
            MessageCodec.encode(table.answer(List.of()), buf);
        }
        long encNs = (System.nanoTime() - encStart) / 5;
        System.out.printf("routes: %d topics x %d partitions RF3: table build %.1f ms; GET_ROUTES(all) %d bytes"
                + " (%.1f per partition), answer+encode %.1f ms; GET_ROUTES(one topic) %d bytes%n", topics,
                partitions, buildNs / 1e6, allBytes, allBytes / (double) (topics * partitions), encNs / 1e6,
                oneBytes);
        overSocket(zk, topics, partitions);
    }

    /** GET_ROUTES over loopback from a real nameserver holding {@code topics} x {@code partitions} in ZooKeeper. */
    private static void overSocket(EmbeddedZooKeeper zk, int topics, int partitions) throws Exception {
        String root = "/routes";
        List<RegistryClient> brokers = List.of(broker(zk, root, 1), broker(zk, root, 2), broker(zk, root, 3));
        RegistryClient admin = session(zk, root);
        RegistryClient nsRegistry = session(zk, root);
        try (NameServer ns = nameserver(nsRegistry);
             RemotingClient client = new RemotingClient("probe", new TransportConfig(), null)) {
            List<BrokerInfo> live = admin.brokers().liveBrokers();
            long start = System.nanoTime();
            for (int t = 0; t < topics; t++) {
                admin.topics().create(TopicMetadata.withAssignment("r" + t,
                        ReplicaAssigner.assign(live, partitions, 3, t), new HashMap<>()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (ns.routes().topicNames().size() < topics && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            System.out.printf("routes: %d topics x %d partitions written and routed by the nameserver in %d ms;"
                    + " znodes %d%n", topics, partitions, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                    countNodes(zk, root));
            Connection c = client.connect(ns.address()).get(5, TimeUnit.SECONDS);
            for (List<String> names : List.of(List.<String>of(), List.of("r7"))) {
                long best = Long.MAX_VALUE;
                int count = 0;
                String error = null;
                for (int i = 0; i < 10; i++) {
                    GetRoutesRequest r = new GetRoutesRequest();
                    r.topics = new ArrayList<>(names);
                    long s = System.nanoTime();
                    try (Response resp = c.request(ApiKey.GET_ROUTES, r, null, 30_000).get(30, TimeUnit.SECONDS)) {
                        GetRoutesResponse answer = resp.message();
                        count = answer.topics == null ? 0 : answer.topics.size();
                    } catch (Exception e) {
                        error = String.valueOf(e.getCause() == null ? e : e.getCause());
                        break;
                    }
                    best = Math.min(best, System.nanoTime() - s);
                }
                System.out.printf("GET_ROUTES %s over loopback: %s%n", names.isEmpty() ? "(all topics)" : names,
                        error != null ? "FAILED " + error : String.format("best of 10 %.1f ms, %d topics", best / 1e6,
                                count));
            }
        } finally {
            admin.close();
            nsRegistry.close();
            for (RegistryClient b : brokers) {
                b.close();
            }
        }
    }
}
