package io.sluice.it;

import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.ClusterDescription;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionDescription;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import io.sluice.registry.EmbeddedZooKeeper;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Controller failover, every server in a JVM of its own (ZooKeeper in the test's): two nameservers and three
 * brokers. The nameserver holding the controller is SIGKILLed; the other takes over with a higher epoch. Then a
 * broker leading partitions of a topic with replication factor 3 is SIGKILLed: the new controller moves its
 * leaderships to in-sync replicas, acks=all writes go on, and every acknowledged record is read back.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class ControllerFailoverTest {
    private static final String TOPIC = "controlled";
    private static final int PARTITIONS = 3;
    private static final int BATCH = 300;
    private static final String SESSION = "sluice.registry.session.timeout.ms=3000";

    @TempDir
    Path dir;

    private EmbeddedZooKeeper zookeeper;
    private final Map<String, ForkedJvm> nameservers = new HashMap<>();
    private final Map<String, String> nameserverMetrics = new HashMap<>();
    private final Map<Integer, ForkedJvm> brokers = new HashMap<>();
    /** Every nameserver JVM started, ready or not, so that each is stopped. */
    private final List<ForkedJvm> nameserverJvms = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ForkedJvm b : brokers.values()) {
            b.close();
        }
        for (ForkedJvm n : nameserverJvms) {
            n.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Test
    void theOtherNameserverTakesOverAndStillHandlesABrokerDeath() throws Exception {
        zookeeper = EmbeddedZooKeeper.start(dir.resolve("zookeeper"), "127.0.0.1", 0);
        String zk = zookeeper.connectString();
        nameserverJvms.add(ServerJvms.nameserver(dir, zk, "nameserver-1", SESSION));
        nameserverJvms.add(ServerJvms.nameserver(dir, zk, "nameserver-2", SESSION));
        for (int id = 1; id <= 3; id++) {
            brokers.put(id, ServerJvms.broker(dir, zk, id, SESSION));
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
        try (Admin admin = Admin.create(new AdminConfig().nameservers(bootstrap))) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                ClusterDescription c = admin.describeCluster();
                return c.brokers().size() == 3 && c.controller() != null;
            });
            admin.createTopic(new NewTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2")));
            ClusterDescription first = admin.describeCluster();
            String controller = first.controller().substring(first.controller().indexOf('@') + 1);
            assertThat(nameservers).containsKey(controller);

            Map<Integer, Set<Long>> acked = new HashMap<>();
            try (Producer<String, String> producer = producer(bootstrap)) {
                long next = send(producer, 0, acked);

                // 1. The controller's nameserver dies; the other one is elected with a higher epoch.
                long nameserverKilledNs = System.nanoTime();
                nameservers.get(controller).kill();
                String survivor = nameservers.keySet().stream().filter(a -> !a.equals(controller)).findFirst()
                        .orElseThrow();
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            ClusterDescription c = admin.describeCluster();
                            assertThat(c.controller()).isEqualTo("nameserver@" + survivor);
                            assertThat(c.controllerEpoch()).isGreaterThan(first.controllerEpoch());
                        });
                long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nameserverKilledNs);

                // 2. A broker leading partitions dies; the new controller moves them to in-sync replicas.
                List<PartitionDescription> before = admin.describeTopic(TOPIC).partitions();
                int victim = before.get(0).leader();
                Map<Integer, List<Integer>> isrBefore = new HashMap<>();
                for (PartitionDescription p : before) {
                    if (p.leader() == victim) {
                        isrBefore.put(p.partition(), p.isr());
                    }
                }
                long brokerKilledNs = System.nanoTime();
                brokers.get(victim).kill();
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> {
                            for (PartitionDescription p : admin.describeTopic(TOPIC).partitions()) {
                                assertThat(p.leader()).as("leader of partition %d", p.partition())
                                        .isNotEqualTo(victim).isNotNegative();
                                if (isrBefore.containsKey(p.partition())) {
                                    assertThat(isrBefore.get(p.partition())).contains(p.leader());
                                }
                            }
                            ClusterDescription c = admin.describeCluster();
                            assertThat(c.brokers()).extracting(ClusterDescription.Broker::id)
                                    .doesNotContain(victim);
                            assertThat(c.offline()).isEmpty();
                        });
                long leadersMovedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - brokerKilledNs);
                ClusterDescription after = admin.describeCluster();
                Map<String, Double> metrics = ServerJvms.scrape(nameserverMetrics.get(survivor));
                assertThat(ServerJvms.sample(metrics, "sluice_controller_active", null)).hasValue(1.0);
                assertThat(ServerJvms.sample(metrics, "sluice_controller_epoch", null))
                        .hasValue((double) after.controllerEpoch());
                assertThat(ServerJvms.sample(metrics, "sluice_controller_leader_elections_total", null)
                        .orElse(0)).as("leaders elected by the new controller").isGreaterThanOrEqualTo(
                        isrBefore.size());

                // 3. acks=all writes go on with two in-sync replicas.
                send(producer, next, acked);
                System.out.printf("ControllerFailoverTest: controller takeover seen after %d ms, leaderships of"
                        + " broker %d moved after %d ms (session timeout 3 s, polled every 200 ms)%n", takeoverMs,
                        victim, leadersMovedMs);
            }
            for (int p = 0; p < PARTITIONS; p++) {
                Set<Long> missing = new HashSet<>(acked.getOrDefault(p, Set.of()));
                missing.removeAll(consume(bootstrap, p, missing));
                assertThat(missing).as("acknowledged records of partition %d never read", p).isEmpty();
            }
        }
    }

    private static Producer<String, String> producer(String bootstrap) {
        return Producer.create(new ProducerConfig().nameservers(bootstrap).acks("all").lingerMs(1)
                .requestTimeoutMs(3_000).deliveryTimeoutMs(30_000).maxBlockMs(30_000).retryBackoffMs(50),
                Serdes.string(), Serdes.string());
    }

    /** Sends {@link #BATCH} numbered records from {@code first} and waits for every acknowledgement. */
    private static long send(Producer<String, String> producer, long first, Map<Integer, Set<Long>> acked)
            throws Exception {
        List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
        for (long seq = first; seq < first + BATCH; seq++) {
            sends.add(producer.send(new ProducerRecord<>(TOPIC, (int) (seq % PARTITIONS), null,
                    String.valueOf(seq))));
        }
        producer.flush();
        for (int i = 0; i < sends.size(); i++) {
            RecordMetadata md = sends.get(i).get(30, TimeUnit.SECONDS);
            acked.computeIfAbsent(md.partition(), k -> new HashSet<>()).add(first + i);
        }
        return first + BATCH;
    }

    private static Set<Long> consume(String bootstrap, int partition, Set<Long> wanted) {
        Set<Long> seen = new HashSet<>();
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(bootstrap),
                Serdes.string(), Serdes.string())) {
            TopicPartition tp = new TopicPartition(TOPIC, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!seen.containsAll(wanted) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(Long.parseLong(r.value()));
                }
            }
        }
        return seen;
    }
}
