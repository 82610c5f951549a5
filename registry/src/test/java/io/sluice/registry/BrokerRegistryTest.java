package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.registry.zk.ZkPaths;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.BrokerInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerRegistryTest {
    @TempDir
    static Path dir;
    static EmbeddedZooKeeper zk;

    @BeforeAll
    static void startZooKeeper() {
        zk = EmbeddedZooKeeper.start(dir, "127.0.0.1", 0);
    }

    @AfterAll
    static void stopZooKeeper() {
        zk.close();
    }

    private static List<Integer> ids(List<BrokerInfo> brokers) {
        return brokers.stream().map(b -> b.id).toList();
    }

    @Test
    void registrationsAppearInTheLiveListAndWatchersAndVanishWithTheirClient() {
        RegistryConfig config = ZkTests.config(zk);
        try (RegistryClient observer = RegistryClient.connect(config)) {
            List<List<Integer>> seen = new CopyOnWriteArrayList<>();
            assertThat(observer.brokers().liveBrokers()).isEmpty();
            observer.brokers().watch(list -> seen.add(ids(list)));
            await().until(() -> seen.contains(List.of()));

            RegistryClient b1 = RegistryClient.connect(ZkTests.sameRoot(config));
            try (RegistryClient b2 = RegistryClient.connect(ZkTests.sameRoot(config))) {
                b1.brokers().register(ZkTests.broker(1, 9911));
                b2.brokers().register(ZkTests.broker(2, 9912));
                await().until(() -> ids(observer.brokers().liveBrokers()).equals(List.of(1, 2)));
                await().until(() -> seen.get(seen.size() - 1).equals(List.of(1, 2)));
                BrokerInfo one = observer.brokers().liveBrokers().get(0);
                assertThat(one.host).isEqualTo("127.0.0.1");
                assertThat(one.port).isEqualTo(9911);
                assertThat(one.rack).isEqualTo("r1");
                assertThat(one.startedAtMs).isEqualTo(1_001L);

                b1.close();
                await().until(() -> ids(observer.brokers().liveBrokers()).equals(List.of(2)));
                await().until(() -> seen.get(seen.size() - 1).equals(List.of(2)));

                b2.brokers().unregister(2);
                await().until(() -> observer.brokers().liveBrokers().isEmpty());
            } finally {
                b1.close();
            }
        }
    }

    @Test
    void aSecondBrokerWithTheSameIdIsRefusedNamingTheHolder() {
        RegistryConfig config = ZkTests.config(zk);
        try (RegistryClient first = RegistryClient.connect(config);
                RegistryClient second = RegistryClient.connect(ZkTests.sameRoot(config))) {
            first.brokers().register(ZkTests.broker(7, 9917));
            assertThatThrownBy(() -> second.brokers().register(ZkTests.broker(7, 9918)))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                    .hasMessageContaining("broker id 7 is already registered by 127.0.0.1:9917");
            await().until(() -> first.brokers().liveBrokers().size() == 1
                    && first.brokers().liveBrokers().get(0).port == 9917);
        }
    }

    @Test
    void aRestartedBrokerTakesOverItsOwnStaleRegistration() throws Exception {
        RegistryConfig config = ZkTests.config(zk);
        byte[] stored;
        try (RegistryClient before = RegistryClient.connect(config)) {
            before.brokers().register(ZkTests.broker(3, 9913));
            stored = before.curator().getData().forPath(ZkPaths.broker(3));
        }
        // the crashed process: its session is still alive, nothing keeps its node any more
        ZooKeeper crashed = ZkTests.rawSession(config);
        try (RegistryClient restarted = RegistryClient.connect(ZkTests.sameRoot(config))) {
            crashed.create(config.root() + ZkPaths.broker(3), stored, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.EPHEMERAL);
            BrokerInfo again = ZkTests.broker(3, 9913);
            again.startedAtMs = 99;
            restarted.brokers().register(again);
            Stat stat = restarted.curator().checkExists().forPath(ZkPaths.broker(3));
            assertThat(stat.getEphemeralOwner())
                    .isEqualTo(restarted.curator().getZookeeperClient().getZooKeeper().getSessionId());
            await().until(() -> restarted.brokers().liveBrokers().get(0).startedAtMs == 99);
        } finally {
            crashed.close();
        }
    }

    @Test
    void aRestartedBrokerOnANewPortWaitsForItsPredecessorsSessionToEnd() throws Exception {
        RegistryConfig config = ZkTests.config(zk);
        byte[] stored;
        try (RegistryClient before = RegistryClient.connect(config)) {
            before.brokers().register(ZkTests.broker(4, 9914));
            stored = before.curator().getData().forPath(ZkPaths.broker(4));
        }
        // the crashed predecessor listened on 9914; its session ends a second after the restart begins
        ZooKeeper crashed = ZkTests.rawSession(config);
        crashed.create(config.root() + ZkPaths.broker(4), stored, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        Thread expiry = new Thread(() -> {
            try {
                Thread.sleep(1_000); // not a wait: stages the old session ending while the new broker registers
                crashed.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (RegistryClient restarted = RegistryClient.connect(ZkTests.sameRoot(config))) {
            expiry.start();
            restarted.brokers().register(ZkTests.broker(4, 9924));
            Stat stat = restarted.curator().checkExists().forPath(ZkPaths.broker(4));
            assertThat(stat.getEphemeralOwner())
                    .isEqualTo(restarted.curator().getZookeeperClient().getZooKeeper().getSessionId());
            await().until(() -> restarted.brokers().liveBrokers().size() == 1
                    && restarted.brokers().liveBrokers().get(0).port == 9924);
        } finally {
            expiry.join();
            crashed.close();
        }
    }

    @Test
    void registrationsAreReadFromZooKeeperWithTheSessionOfEachIncarnation() throws Exception {
        RegistryConfig config = ZkTests.config(zk);
        try (RegistryClient observer = RegistryClient.connect(config);
                RegistryClient first = RegistryClient.connect(ZkTests.sameRoot(config));
                RegistryClient second = RegistryClient.connect(ZkTests.sameRoot(config))) {
            assertThat(observer.brokers().registrations()).isEmpty();
            first.brokers().register(ZkTests.broker(5, 9915));
            long firstSession = first.curator().getZookeeperClient().getZooKeeper().getSessionId();

            List<BrokerRegistration> seen = observer.brokers().registrations(); // no cache: visible at once
            assertThat(seen).hasSize(1);
            assertThat(seen.get(0).id()).isEqualTo(5);
            assertThat(seen.get(0).address()).isEqualTo("127.0.0.1:9915");
            assertThat(seen.get(0).session()).isEqualTo(firstSession);

            // a restart of broker 5 (same address) from another session takes the registration over
            second.brokers().register(ZkTests.broker(5, 9915));
            long secondSession = second.curator().getZookeeperClient().getZooKeeper().getSessionId();
            assertThat(observer.brokers().registrations()).singleElement()
                    .satisfies(r -> assertThat(r.session()).isEqualTo(secondSession).isNotEqualTo(firstSession));
        }
    }

    @Test
    void invalidBrokersAreRefused() {
        try (RegistryClient client = RegistryClient.connect(ZkTests.config(zk))) {
            BrokerInfo noHost = ZkTests.broker(1, 9911);
            noHost.host = "";
            for (BrokerInfo bad : List.of(ZkTests.broker(-1, 9911), ZkTests.broker(1, 0), noHost)) {
                assertThatThrownBy(() -> client.brokers().register(bad))
                        .isInstanceOfSatisfying(SluiceException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
            }
        }
    }

    @Test
    void theRegistrationIsRecreatedAfterTheSessionExpires() throws Exception {
        RegistryConfig config = ZkTests.config(zk);
        try (RegistryClient broker = RegistryClient.connect(config);
                RegistryClient observer = RegistryClient.connect(ZkTests.sameRoot(config))) {
            broker.brokers().register(ZkTests.broker(5, 9915));
            List<List<Integer>> seen = new CopyOnWriteArrayList<>();
            observer.brokers().watch(list -> seen.add(ids(list)));
            await().until(() -> seen.contains(List.of(5)));
            long oldSession = broker.curator().getZookeeperClient().getZooKeeper().getSessionId();

            ZkTests.expireSession(broker);

            await().atMost(Duration.ofSeconds(15)).until(() -> seen.get(seen.size() - 1).equals(List.of())
                    || broker.curator().getZookeeperClient().getZooKeeper().getSessionId() != oldSession);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                Stat stat = observer.curator().checkExists().forPath(ZkPaths.broker(5));
                assertThat(stat).isNotNull();
                assertThat(stat.getEphemeralOwner()).isNotEqualTo(oldSession)
                        .isEqualTo(broker.curator().getZookeeperClient().getZooKeeper().getSessionId());
            });
            await().until(() -> seen.get(seen.size() - 1).equals(List.of(5)));
            assertThat(seen).contains(List.of());
        }
    }
}
