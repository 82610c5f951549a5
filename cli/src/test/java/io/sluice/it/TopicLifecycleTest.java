package io.sluice.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.broker.server.BrokerConfig;
import io.sluice.broker.server.BrokerServer;
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
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Deleting a topic deletes its data, and a topic re-created under the same name starts empty. */
class TopicLifecycleTest {
    @TempDir
    Path dir;

    private Standalone cluster;
    private RegistryClient registry;
    private BrokerServer broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private void startBroker() {
        registry = RegistryClient.connect(new RegistryConfig().connect(cluster.zookeeperAddress()));
        broker = new BrokerServer(new BrokerConfig().id(0).port(0).metricsPort(-1).dataDir(dir.resolve("broker-0")),
                registry, new SimpleMeterRegistry()).start();
    }

    private void stopBroker() {
        broker.close();
        registry.close();
        broker = null;
        registry = null;
    }

    private void produce(String topic, int n) throws Exception {
        try (Producer<String, String> producer = Producer.create(new ProducerConfig()
                .nameservers(cluster.nameservers()), Serdes.string(), Serdes.string())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, "v" + i)).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private long logEnd(Admin admin, String topic) {
        return admin.describeTopic(topic).partitions().stream().mapToLong(PartitionDescription::logEndOffset).sum();
    }

    @Test
    void deleteThenRecreateStartsEmptyWhileTheBrokerRuns() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        startBroker();
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                try {
                    admin.createTopic(new NewTopic("t", 1, 1));
                    return true;
                } catch (RuntimeException e) {
                    return false; // the nameserver has not seen the broker yet
                }
            });
            produce("t", 20);
            assertThat(logEnd(admin, "t")).isEqualTo(20);
            admin.deleteTopic("t");
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> !broker.partitions().topics().contains("t"));
            admin.createTopic(new NewTopic("t", 1, 1));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> logEnd(admin, "t") == 0);
        }
    }

    @Test
    void topicDeletedWhileTheBrokerWasDownComesBackEmpty() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        startBroker();
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                try {
                    admin.createTopic(new NewTopic("t", 1, 1));
                    return true;
                } catch (RuntimeException e) {
                    return false;
                }
            });
            produce("t", 20);
            stopBroker();
            admin.deleteTopic("t");
            // the broker is down, so creation needs a live broker: bring it back, then re-create
            startBroker();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                try {
                    admin.createTopic(new NewTopic("t", 1, 1));
                    return true;
                } catch (RuntimeException e) {
                    return false;
                }
            });
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> logEnd(admin, "t") == 0);
            produce("t", 3);
            assertThat(logEnd(admin, "t")).isEqualTo(3);
        }
    }
}
