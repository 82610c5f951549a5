package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.registry.zk.ZkPaths;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderElectionTest {
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

    /** Records what a participant's listener was told, as "elected:N" and "revoked". */
    private static List<String> record(LeaderElection election) {
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
        return events;
    }

    @Test
    void oneOfTwoLeadsAndWhenItLeavesTheOtherLeadsWithAHigherEpoch() {
        RegistryConfig config = ZkTests.config(zk);
        try (RegistryClient ca = RegistryClient.connect(config);
                RegistryClient cb = RegistryClient.connect(ZkTests.sameRoot(config))) {
            LeaderElection a = ca.election("controller", "ns-a");
            LeaderElection b = cb.election("controller", "ns-b");
            List<String> aEvents = record(a);
            List<String> bEvents = record(b);
            a.start();
            b.start();
            await().until(() -> a.isLeader() ^ b.isLeader());
            LeaderElection leader = a.isLeader() ? a : b;
            LeaderElection follower = leader == a ? b : a;
            List<String> leaderEvents = leader == a ? aEvents : bEvents;
            List<String> followerEvents = leader == a ? bEvents : aEvents;
            long firstEpoch = leader.epoch();
            assertThat(firstEpoch).isPositive();
            await().until(() -> leader.participantId().equals(follower.leaderId())
                    && follower.epoch() == firstEpoch);
            assertThat(leader.leaderId()).isEqualTo(leader.participantId());
            await().until(() -> leaderEvents.equals(List.of("elected:" + firstEpoch)));
            assertThat(followerEvents).isEmpty();

            leader.close();
            await().until(follower::isLeader);
            assertThat(leader.isLeader()).isFalse();
            assertThat(follower.epoch()).isGreaterThan(firstEpoch);
            assertThat(follower.leaderId()).isEqualTo(follower.participantId());
            await().until(() -> followerEvents.equals(List.of("elected:" + follower.epoch())));
            await().until(() -> leaderEvents.equals(List.of("elected:" + firstEpoch, "revoked")));

            List<String> late = record(follower);
            await().until(() -> late.equals(List.of("elected:" + follower.epoch())));
        }
    }

    @Test
    void whenTheLeadersSessionExpiresTheOtherTakesOverAndTheFormerLeaderFollows() throws Exception {
        RegistryConfig config = ZkTests.config(zk);
        try (RegistryClient ca = RegistryClient.connect(config);
                RegistryClient cb = RegistryClient.connect(ZkTests.sameRoot(config))) {
            LeaderElection a = ca.election("controller", "ns-a");
            List<String> aEvents = record(a);
            a.start();
            await().until(a::isLeader);
            long firstEpoch = a.epoch();
            LeaderElection b = cb.election("controller", "ns-b");
            b.start();
            await().until(() -> "ns-a".equals(b.leaderId()));

            ZkTests.expireSession(ca);

            await().atMost(Duration.ofSeconds(15)).until(() -> a.isLeader() ^ b.isLeader()
                    && aEvents.contains("revoked"));
            LeaderElection now = a.isLeader() ? a : b;
            assertThat(now.epoch()).isGreaterThan(firstEpoch);
            await().atMost(Duration.ofSeconds(15)).until(() -> now.participantId().equals(a.leaderId())
                    && now.participantId().equals(b.leaderId()) && a.epoch() == b.epoch());
        }
    }

    @Test
    void aDeposedLeaderCannotWritePartitionStateWithItsFence() throws Exception {
        RegistryConfig config = ZkTests.config(zk);
        try (RegistryClient ca = RegistryClient.connect(config)) {
            ca.topics().create(TopicMetadata.withAssignment("t", List.of(List.of(1, 2)), Map.of()));
            LeaderElection a = ca.election("controller", "ns-a");
            a.start();
            await().until(a::isLeader);
            PartitionState p0 = ca.topics().get("t").orElseThrow().partitionState(0);
            assertThat(ca.topics().compareAndSetPartitionState("t", 0, p0.withLeader(2, 1), p0.version(), a))
                    .isTrue();

            // a newer leader won somewhere: the epoch counter moved on while this one still believes it leads
            byte[] epoch = ca.curator().getData().forPath(ZkPaths.electionEpoch("controller"));
            ca.curator().setData().forPath(ZkPaths.electionEpoch("controller"), epoch);
            PartitionState p1 = ca.topics().get("t").orElseThrow().partitionState(0);
            assertThatThrownBy(() -> ca.topics().compareAndSetPartitionState("t", 0, p1.withLeader(1, 2),
                    p1.version(), a))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_CONTROLLER_EPOCH));
            assertThat(ca.topics().get("t").orElseThrow().partitionState(0).leader()).isEqualTo(2);

            a.close();
            assertThatThrownBy(() -> ca.topics().compareAndSetPartitionState("t", 0, p1.withLeader(1, 2),
                    p1.version(), a))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.STALE_CONTROLLER_EPOCH));
        }
    }

    /** The terms a participant's listener was told it follows. */
    private static List<LeaderTerm> followed(LeaderElection election) {
        List<LeaderTerm> terms = new CopyOnWriteArrayList<>();
        election.addListener(new LeaderListener() {
            @Override
            public void onElected(long epoch) {
            }

            @Override
            public void onRevoked() {
            }

            @Override
            public void onFollowing(LeaderTerm leader) {
                terms.add(leader);
            }
        });
        return terms;
    }

    @Test
    void aFollowerEvictsExactlyTheTermItSawAndTakesOverBeforeTheSessionExpires() throws Exception {
        RegistryConfig config = ZkTests.config(zk).sessionTimeoutMs(30_000);
        String leaderPath = config.root() + ZkPaths.election("controller");
        String epochPath = config.root() + ZkPaths.electionEpoch("controller");
        ZooKeeper zombie = ZkTests.rawSession(config);
        try (RegistryClient ca = RegistryClient.connect(config);
                RegistryClient cb = RegistryClient.connect(ZkTests.sameRoot(config))) {
            // ns-a wins epoch 1; then its process dies while its session lives on: the zombie session holds ns-a's
            // node (ns-a resigned here only to hand the node over)
            LeaderElection a = ca.election("controller", "ns-a");
            a.start();
            await().until(a::isLeader);
            byte[] node = ca.curator().getData().forPath(ZkPaths.election("controller"));
            a.close();
            zombie.create(leaderPath, node, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

            LeaderElection b = cb.election("controller", "ns-b");
            List<LeaderTerm> seen = followed(b);
            b.start();
            await().until(() -> seen.size() == 1);
            LeaderTerm first = seen.get(0);
            assertThat(first.leaderId()).isEqualTo("ns-a");
            assertThat(first.epoch()).isEqualTo(1);
            assertThat(first.session()).isEqualTo(zombie.getSessionId());
            assertThat(first.epochVersion()).isNotNegative();
            assertThat(b.isLeader()).isFalse();

            // a stale view never removes a later term: the epoch counter moved on (a win under way elsewhere) ...
            zombie.setData(epochPath, zombie.getData(epochPath, false, null), -1);
            assertThat(b.evict(first)).as("evicting a term whose epoch node moved on").isFalse();
            // ... or the leader node changed (a re-claim by the same session)
            zombie.setData(leaderPath, node, -1);
            assertThat(b.evict(first)).as("evicting a term whose leader node changed").isFalse();
            assertThat(zombie.exists(leaderPath, false)).isNotNull();
            await().until(() -> seen.size() == 2);
            LeaderTerm current = seen.get(1);
            assertThat(current.leaderVersion()).isGreaterThan(first.leaderVersion());
            assertThat(current.epochVersion()).isGreaterThan(first.epochVersion());

            // the term b saw last: removed, and b leads at once with a higher epoch, long before the zombie session
            // (30 s) would expire
            assertThat(b.evict(current)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(b::isLeader);
            assertThat(b.epoch()).isEqualTo(2);
            assertThat(zombie.getState().isAlive()).as("the evicted leader's session still lives").isTrue();
            assertThat(b.evict(current)).as("evicting the same term again").isFalse();
            assertThat(b.isLeader()).isTrue();
        } finally {
            zombie.close();
        }
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheElection() {
        try (RegistryClient c = RegistryClient.connect(ZkTests.config(zk))) {
            LeaderElection a = c.election("singleton", "only");
            a.addListener(new LeaderListener() {
                @Override
                public void onElected(long epoch) {
                    throw new IllegalStateException("boom");
                }

                @Override
                public void onRevoked() {
                    throw new IllegalStateException("boom");
                }
            });
            List<String> events = record(a);
            a.start();
            await().until(() -> events.equals(List.of("elected:1")));
            a.close();
            await().until(() -> events.equals(List.of("elected:1", "revoked")));
        }
    }
}
