package io.sluice.it;

import io.sluice.cli.SluiceCli;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.ClusterDescription;
import io.sluice.client.NewTopic;
import io.sluice.client.PartitionDescription;
import io.sluice.client.PartitionInfo;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sluice cluster} and {@code topic describe} against three brokers (in one process): live brokers, the
 * controller and its epoch, every replica's log end; then a broker stops and the cluster shows its partitions as
 * under-replicated, without it in their in-sync sets.
 */
class ClusterCommandTest {
    private static final String TOPIC = "replicated";
    private static final int RECORDS = 50;

    @TempDir
    Path dir;

    private Standalone cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Result(int code, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--nameserver";
        full[args.length + 1] = cluster.nameservers();
        int code = SluiceCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void showsBrokersControllerReplicaLogEndsAndUnderReplicatedPartitions() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 3));
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> cluster.nameserver().routes().brokers().size() == 3);
        Result created = run("topic", "create", "--topic", TOPIC, "--partitions", "2", "--replication-factor", "3",
                "--min-insync-replicas", "2");
        assertThat(created.code()).as(created.err()).isZero();
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(cluster.nameservers()).acks("all").lingerMs(1), Serdes.string(), Serdes.string())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, null, "v" + i));
            }
            producer.flush();
        }

        Result shown = run("cluster");
        assertThat(shown.code()).as(shown.err()).isZero();
        String controller = "nameserver@" + cluster.nameservers();
        assertThat(shown.out()).containsPattern("Controller: " + controller + "  epoch [1-9]")
                .contains("Brokers: 3 live").contains("Offline partitions: none");
        for (int id = 0; id < 3; id++) {
            int port = cluster.brokers().get(id).address().getPort();
            assertThat(shown.out()).containsPattern("(?m)^  " + id + "\\s+127\\.0\\.0\\.1:" + port + "\\s");
        }

        // Every replica's log end, as the leader tracks it, reaches the leader's once followers have fetched.
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Result described = run("topic", "describe", "--topic", TOPIC);
            assertThat(described.code()).as(described.err()).isZero();
            assertThat(described.out()).contains("ReplicaLogEnd");
            for (int p = 0; p < 2; p++) {
                assertThat(described.out()).containsPattern("(?m)^" + p + "\\s+\\d\\s+\\d+\\s+.*\\s25\\s+25\\s+"
                        + "\\d:25,\\d:25,\\d:25$");
            }
        });
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            for (PartitionDescription p : admin.describeTopic(TOPIC).partitions()) {
                assertThat(p.replicaLogs()).extracting(PartitionDescription.ReplicaLog::broker)
                        .containsExactlyElementsOf(p.replicas());
                assertThat(p.replicaLogs()).allSatisfy(r -> assertThat(r.logEndOffset()).isEqualTo(25));
            }
            ClusterDescription before = admin.describeCluster();
            assertThat(before.controller()).isEqualTo(controller);
            assertThat(before.controllerEpoch()).isPositive();
            assertThat(before.brokers()).extracting(ClusterDescription.Broker::id).containsExactly(0, 1, 2);
            assertThat(before.underReplicated()).isEmpty();

            // A broker stops: the controller takes it out of every in-sync set; nothing goes offline (RF 3).
            cluster.brokers().get(2).close();
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(100, TimeUnit.MILLISECONDS)
                    .until(() -> admin.describeCluster().underReplicated().size() == 2);
            ClusterDescription after = admin.describeCluster();
            assertThat(after.brokers()).extracting(ClusterDescription.Broker::id).containsExactly(0, 1);
            assertThat(after.offline()).isEmpty();
            for (PartitionInfo p : after.underReplicated()) {
                assertThat(p.topic()).isEqualTo(TOPIC);
                assertThat(p.replicas()).contains(2);
                assertThat(p.isr()).doesNotContain(2).hasSize(2);
                assertThat(p.leader()).isIn(0, 1);
            }
        }
        Result degraded = run("cluster");
        assertThat(degraded.out()).contains("Brokers: 2 live").contains("Under-replicated partitions: 2")
                .containsPattern("(?m)^  " + TOPIC + "\\s+0\\s+[01]\\s+\\S+\\s+\\S+$")
                .contains("Offline partitions: none");
    }
}
