package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sluice.registry.zk.ZkPaths;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryOutageTest {
    private static final String KEY = "Echo";

    @TempDir
    Path dir;

    @Test
    void viewsKeepTheirContentWhileZooKeeperIsDownAndRegistrationsSurviveItsRestart() throws Exception {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", 0);
        int port = zk.port();
        RegistryConfig config = ZkTests.config(zk).connectionTimeoutMs(1_000).retryMaxAttempts(0);
        try (RegistryClient provider = RegistryClient.connect(config);
                RegistryClient consumer = RegistryClient.connect(ZkTests.sameRoot(config))) {
            provider.brokers().register(ZkTests.broker(1, 9911));
            provider.services().register(ServiceInstance.builder(KEY).address("127.0.0.1", 20880).build());
            provider.services().register(ServiceInstance.builder(KEY).address("127.0.0.1", 20881).build());
            List<Integer> sizes = new CopyOnWriteArrayList<>();
            consumer.services().subscribe(KEY, list -> sizes.add(list.size()));
            await().until(() -> sizes.contains(2) && consumer.brokers().liveBrokers().size() == 1);

            assertThat(consumer.status().state()).isEqualTo(RegistryStatus.State.CONNECTED);
            long stoppedAtMs = System.currentTimeMillis();
            zk.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !consumer.isConnected());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> consumer.status().state() == RegistryStatus.State.SUSPENDED);
            assertThat(consumer.status().sinceMs()).isGreaterThanOrEqualTo(stoppedAtMs);
            assertThat(consumer.status().connectString()).isEqualTo(config.connectString());
            assertThat(consumer.brokers().liveBrokers()).hasSize(1);
            SluiceException down = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try {
                    consumer.services().providers(KEY);
                    return null;
                } catch (SluiceException e) {
                    return e;
                }
            });
            assertThat(down).isNotNull();
            assertThat(down.code()).isEqualTo(ErrorCode.REGISTRY_UNAVAILABLE);
            assertThat(down.getMessage()).contains(config.connectString());

            zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", port);
            await().atMost(Duration.ofSeconds(15)).until(() -> provider.isConnected() && consumer.isConnected());
            await().atMost(Duration.ofSeconds(15)).until(() -> consumer.status().connected());
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    consumer.curator().checkExists().forPath(ZkPaths.broker(1)) != null
                            && consumer.services().providers(KEY).size() == 2);
            // every registration ends up held by the provider's current session, whether its session survived the
            // restart or was replaced by a new one
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                long session = provider.curator().getZookeeperClient().getZooKeeper().getSessionId();
                for (String path : List.of(ZkPaths.broker(1), ZkPaths.provider(KEY, "127.0.0.1:20880"),
                        ZkPaths.provider(KEY, "127.0.0.1:20881"))) {
                    assertThat(consumer.curator().checkExists().forPath(path).getEphemeralOwner()).as(path)
                            .isEqualTo(session);
                }
            });
            assertThat(sizes.get(sizes.size() - 1)).isEqualTo(2);
            assertThat(sizes).doesNotContain(0).first().isEqualTo(2);
        } finally {
            zk.close();
        }
    }

    @Test
    void registrationsComeBackUnderANewSessionAfterAnOutageLongerThanTheSessionTimeout() throws Exception {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", 0);
        int port = zk.port();
        RegistryConfig config = ZkTests.config(zk).connectionTimeoutMs(1_000).sessionTimeoutMs(2_000);
        try (RegistryClient broker = RegistryClient.connect(config)) {
            broker.brokers().register(ZkTests.broker(4, 9914));
            long before = broker.curator().getZookeeperClient().getZooKeeper().getSessionId();
            AtomicBoolean lost = new AtomicBoolean();
            broker.curator().getConnectionStateListenable().addListener((c, state) -> {
                if (state == ConnectionState.LOST) {
                    lost.set(true);
                }
            });

            zk.close();
            await().atMost(Duration.ofSeconds(15)).untilTrue(lost);
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.status().state() == RegistryStatus.State.LOST);
            zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", port);

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                long now = broker.curator().getZookeeperClient().getZooKeeper().getSessionId();
                assertThat(now).isNotEqualTo(before);
                Stat node = broker.curator().checkExists().forPath(ZkPaths.broker(4));
                assertThat(node).as("registration re-created").isNotNull();
                assertThat(node.getEphemeralOwner()).isEqualTo(now);
            });
            assertThat(broker.brokers().liveBrokers()).extracting(b -> b.id).containsExactly(4);
        } finally {
            zk.close();
        }
    }

    @Test
    void aLeaderGivesUpWhenSuspendedAndReclaimsWithANewEpochAfterReconnecting() throws Exception {
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", 0);
        int port = zk.port();
        try (RegistryClient client = RegistryClient.connect(ZkTests.config(zk))) {
            LeaderElection election = client.election("controller", "ns-1");
            List<String> events = new CopyOnWriteArrayList<>();
            election.addListener(new LeaderListener() {
                @Override
                public void onElected(long epoch) {
                    events.add("elected:" + epoch);
                }

                @Override
                public void onRevoked() {
                    events.add("revoked");
                }
            });
            election.start();
            await().until(() -> events.equals(List.of("elected:1")));

            zk.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.equals(List.of("elected:1", "revoked")));
            assertThat(election.isLeader()).isFalse();
            zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", port);

            await().atMost(Duration.ofSeconds(15))
                    .until(() -> events.equals(List.of("elected:1", "revoked", "elected:2")));
            assertThat(election.isLeader()).isTrue();
            assertThat(election.epoch()).isEqualTo(2);
        } finally {
            zk.close();
        }
    }
}
