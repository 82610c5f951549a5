package io.sluice.it;

import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.ClusterDescription;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionDescription;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serdes;
import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.zk.ZkPaths;
import org.apache.zookeeper.data.Stat;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controller's nameserver and the leader of a partition die together (SIGKILL, each in a JVM of its own, with
 * the default 10 s registry session). The standby nameserver must not wait for the dead controller's session: it
 * finds the controller's process gone, takes over, already knows the broker is gone (standbys probe brokers too) and
 * moves the leadership, so acks=all writes to that partition succeed again within a few seconds. That this happened
 * through the probes and not through the session expiry is read from ZooKeeper: the dead broker's registration
 * and the dead controller's session are both still there when the new leader is seen.
 */
class ControllerAndLeaderKillTest {
    private static final String TOPIC = "both-killed";
    private static final int PARTITIONS = 2;

    @TempDir
    Path dir;

    private EmbeddedZooKeeper zookeeper;
    private final List<ForkedJvm> jvms = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ForkedJvm jvm : jvms) {
            jvm.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Test
    void aControllerKilledTogetherWithALeaderIsReplacedBeforeItsSessionExpires() throws Exception {
        zookeeper = EmbeddedZooKeeper.start(dir.resolve("zookeeper"), "127.0.0.1", 0);
        String zk = zookeeper.connectString();
        Map<String, ForkedJvm> nameservers = new HashMap<>();
        Map<String, String> nameserverMetrics = new HashMap<>();
        List<ForkedJvm> nameserverJvms = List.of(ServerJvms.nameserver(dir, zk, "nameserver-1"),
                ServerJvms.nameserver(dir, zk, "nameserver-2"));
        jvms.addAll(nameserverJvms);
        Map<Integer, ForkedJvm> brokers = new HashMap<>();
        for (int id = 1; id <= 3; id++) {
            brokers.put(id, ServerJvms.broker(dir, zk, id));
            jvms.add(brokers.get(id));
        }
        for (ForkedJvm ns : nameserverJvms) {
            String ready = ns.awaitReady(120, TimeUnit.SECONDS);
            nameservers.put(ServerJvms.nameserverAddress(ready), ns);
            nameserverMetrics.put(ServerJvms.nameserverAddress(ready), ServerJvms.metricsUrl(ready));
        }
        for (ForkedJvm b : brokers.values()) {
            b.awaitReady(120, TimeUnit.SECONDS);
        }
        String bootstrap = String.join(",", nameservers.keySet());
        try (Admin admin = Admin.create(new AdminConfig().nameservers(bootstrap));
                RegistryClient registry = RegistryClient.connect(new RegistryConfig().connect(zk));
                Producer<String, String> producer = Producer.create(new ProducerConfig().nameservers(bootstrap)
                        .acks("all").lingerMs(1).requestTimeoutMs(3_000).deliveryTimeoutMs(30_000)
                        .maxBlockMs(30_000).retryBackoffMs(50), Serdes.string(), Serdes.string())) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                ClusterDescription c = admin.describeCluster();
                return c.brokers().size() == 3 && c.controller() != null;
            });
            admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2")));
            for (int p = 0; p < PARTITIONS; p++) {
                producer.send(new ProducerRecord<>(TOPIC, p, null, "before")).get(30, TimeUnit.SECONDS);
            }
            ClusterDescription first = admin.describeCluster();
            String controller = first.controller().substring(first.controller().indexOf('@') + 1);
            String standby = nameservers.keySet().stream().filter(a -> !a.equals(controller)).findFirst()
                    .orElseThrow();
            int victim = admin.describeTopic(TOPIC).partitions().get(0).leader();
            Stat victimRegistration = registry.curator().checkExists().forPath(ZkPaths.broker(victim));
            Stat controllerNode = registry.curator().checkExists().forPath(ZkPaths.election("controller"));
            // the standby has been probing both for a while (it connects at once; give a loaded machine slack)
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ServerJvms.sample(
                    ServerJvms.scrape(nameserverMetrics.get(standby)), "sluice_controller_active", null)
                    .orElse(-1) == 0.0);

            long killedNs = System.nanoTime();
            nameservers.get(controller).kill();
            brokers.get(victim).kill();

            RecordMetadata acked = producer.send(new ProducerRecord<>(TOPIC, 0, null, "after"))
                    .get(30, TimeUnit.SECONDS);
            long ackedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNs);
            assertThat(acked.partition()).isZero();
            // the dead broker's and the dead controller's sessions are still alive: the standby acted on the
            // processes being gone, not on ZooKeeper noticing
            Stat stillRegistered = registry.curator().checkExists().forPath(ZkPaths.broker(victim));
            assertThat(stillRegistered).as("broker %d's registration (its session has not expired)", victim)
                    .isNotNull();
            assertThat(stillRegistered.getEphemeralOwner()).isEqualTo(victimRegistration.getEphemeralOwner());
            assertThat(registry.curator().checkExists().forPath(ZkPaths.election("controller"))
                    .getEphemeralOwner()).as("the controller node is the standby's now")
                    .isNotEqualTo(controllerNode.getEphemeralOwner());
            assertThat(ackedMs).as("acks=all write acknowledged well before the 10 s session expiry")
                    .isLessThan(8_000);

            PartitionDescription p0 = admin.describeTopic(TOPIC).partitions().get(0);
            assertThat(p0.leader()).isNotEqualTo(victim).isNotNegative();
            ClusterDescription after = admin.describeCluster();
            assertThat(after.controller()).isEqualTo("nameserver@" + standby);
            assertThat(after.controllerEpoch()).isGreaterThan(first.controllerEpoch());
            Map<String, Double> metrics = ServerJvms.scrape(nameserverMetrics.get(standby));
            assertThat(ServerJvms.sample(metrics, "sluice_controller_stale_evictions_total", null)).hasValue(1.0);
            System.out.printf("ControllerAndLeaderKillTest: controller nameserver and leader of partition 0 (broker"
                    + " %d) SIGKILLed together; acks=all write to partition 0 acknowledged after %d ms (registry"
                    + " session 10 s)%n", victim, ackedMs);
        }
    }
}
