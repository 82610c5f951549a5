package io.sluice.it;

import io.sluice.broker.server.BrokerConfig;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionDescription;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.registry.RegistryConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replication metrics on the real Prometheus endpoints of a cluster of three broker JVMs (and the nameserver's):
 * a follower is frozen with SIGSTOP, the leader takes it out of the in-sync set (shrink, under-replicated, lag in
 * records and seconds), then it is resumed with SIGCONT, catches up and is put back (expand, no lag).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // several server JVMs on a loaded machine: twice the default
class ReplicationMetricsTest {
    private static final String TOPIC = "metered";

    @TempDir
    Path dir;

    private Standalone nameserver;
    private final Map<Integer, ForkedJvm> brokers = new HashMap<>();
    private final Map<Integer, String> metrics = new HashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (ForkedJvm b : brokers.values()) {
            b.close();
        }
        if (nameserver != null) {
            nameserver.close();
        }
    }

    @Test
    void shrinkLagAndExpandShowOnTheLeadersMetricsEndpoint() throws Exception {
        nameserver = Standalone.start(new StandaloneSettings("127.0.0.1", dir, 0, 0, 0, new RegistryConfig(),
                new NameServerConfig().port(0).metricsPort(-1), i -> new BrokerConfig()));
        for (int id = 1; id <= 3; id++) {
            // A long session keeps the frozen follower registered: only the leader's lag rule acts on it.
            brokers.put(id, ServerJvms.broker(dir, nameserver.zookeeperAddress(), id,
                    "sluice.replica.lag.time.max.ms=2000", "sluice.registry.session.timeout.ms=60000"));
        }
        for (Map.Entry<Integer, ForkedJvm> b : brokers.entrySet()) {
            metrics.put(b.getKey(), ServerJvms.metricsUrl(b.getValue().awaitReady(120, TimeUnit.SECONDS)));
        }
        Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> nameserver.nameserver().routes().brokers().size() == 3);
        PartitionDescription p;
        try (Admin admin = Admin.create(new AdminConfig().nameservers(nameserver.nameservers()))) {
            admin.createTopic(new NewTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2")));
            produce(100);
            p = admin.describeTopic(TOPIC).partitions().get(0);
        }
        int leader = p.leader();
        int[] followers = p.replicas().stream().filter(r -> r != leader).mapToInt(Integer::intValue).toArray();
        String leaderMetrics = metrics.get(leader);

        // In sync: every follower has everything; lag in seconds is small but present.
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, Double> m = ServerJvms.scrape(leaderMetrics);
            assertThat(value(m, "sluice_replica_under_replicated_partitions", null)).isZero();
            assertThat(value(m, "sluice_replica_isr_shrinks_total", null)).isNotNegative();
            assertThat(value(m, "sluice_replica_isr_expands_total", null)).isNotNegative();
            assertThat(value(m, "sluice_replica_max_lag_records", null)).isZero();
            for (int f : followers) {
                assertThat(value(m, "sluice_replica_follower_lag_records", follower(f))).isZero();
                assertThat(value(m, "sluice_replica_follower_lag_seconds", follower(f))).isBetween(0.0, 2.0);
            }
        });
        // Producer traffic is counted where it was produced, replication apart: summing messages in over the
        // brokers gives the records produced, not three times them.
        String topic = "topic=\"" + TOPIC + "\"";
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, Double> m = ServerJvms.scrape(leaderMetrics);
            assertThat(value(m, "sluice_broker_messages_in_total", topic)).isEqualTo(100.0);
            assertThat(value(m, "sluice_broker_in_bytes_total", topic)).as("bytes in, named with one unit")
                    .isPositive();
            assertThat(value(m, "sluice_broker_replication_out_bytes_total", topic)).isPositive();
            for (int f : followers) {
                Map<String, Double> fm = ServerJvms.scrape(metrics.get(f));
                assertThat(value(fm, "sluice_broker_messages_in_total", topic)).as("broker %d", f).isZero();
                assertThat(value(fm, "sluice_broker_in_bytes_total", topic)).as("broker %d", f).isZero();
                assertThat(value(fm, "sluice_broker_replication_in_bytes_total", topic)).as("broker %d", f)
                        .isPositive();
            }
        });
        Map<String, Double> before = ServerJvms.scrape(leaderMetrics);
        double shrinks = value(before, "sluice_replica_isr_shrinks_total", null);
        double expands = value(before, "sluice_replica_isr_expands_total", null);
        Map<String, Double> ns = ServerJvms.scrape(nameserver.metricsUrl());
        assertThat(value(ns, "sluice_controller_active", null)).isEqualTo(1.0);
        assertThat(value(ns, "sluice_controller_epoch", null)).isGreaterThanOrEqualTo(1.0);
        assertThat(value(ns, "sluice_controller_offline_partitions", null)).isZero();

        // A follower freezes: the leader shrinks the in-sync set once it lags past lag.time.max.ms.
        int frozen = followers[1];
        signal(brokers.get(frozen), "STOP");
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> {
                        Map<String, Double> m = ServerJvms.scrape(leaderMetrics);
                        assertThat(value(m, "sluice_replica_under_replicated_partitions", null)).isEqualTo(1.0);
                        assertThat(value(m, "sluice_replica_isr_shrinks_total", null)).isGreaterThan(shrinks);
                    });
            produce(50); // acks=all goes on with the leader and the other follower
            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<String, Double> m = ServerJvms.scrape(leaderMetrics);
                assertThat(value(m, "sluice_replica_follower_lag_records", follower(frozen)))
                        .isGreaterThanOrEqualTo(50.0);
                assertThat(value(m, "sluice_replica_follower_lag_seconds", follower(frozen)))
                        .isGreaterThan(2.0);
                assertThat(value(m, "sluice_replica_follower_lag_records", follower(followers[0]))).isZero();
                assertThat(value(m, "sluice_replica_max_lag_records", null)).isGreaterThanOrEqualTo(50.0);
                assertThat(value(ServerJvms.scrape(nameserver.metricsUrl()),
                        "sluice_nameserver_under_replicated_partitions", null)).isEqualTo(1.0);
            });
        } finally {
            signal(brokers.get(frozen), "CONT");
        }

        // It resumes, catches up and is put back.
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Map<String, Double> m = ServerJvms.scrape(leaderMetrics);
            assertThat(value(m, "sluice_replica_isr_expands_total", null)).isGreaterThan(expands);
            assertThat(value(m, "sluice_replica_under_replicated_partitions", null)).isZero();
            assertThat(value(m, "sluice_replica_follower_lag_records", follower(frozen))).isZero();
        });
    }

    private void produce(int records) {
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(nameserver.nameservers()).acks("all").lingerMs(1), Serdes.string(), Serdes.string())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, "r" + i));
            }
            producer.flush();
        }
    }

    private static String follower(int id) {
        return "follower=\"" + id + "\"";
    }

    private static double value(Map<String, Double> samples, String name, String label) {
        OptionalDouble v = ServerJvms.sample(samples, name, label);
        assertThat(v).as("%s{%s} on the metrics page", name, label == null ? "" : label).isPresent();
        return v.getAsDouble();
    }

    /** Sends SIGSTOP or SIGCONT to a server JVM, by its pid. */
    private static void signal(ForkedJvm jvm, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(jvm.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d", signal, jvm.pid()).isZero();
    }
}
