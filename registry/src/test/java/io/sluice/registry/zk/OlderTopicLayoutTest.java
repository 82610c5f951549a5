package io.sluice.registry.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.registry.EmbeddedZooKeeper;
import io.sluice.registry.PartitionState;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.TopicMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry written before partition states were chunked (one {@code /topics/<t>/partitions/<p>/state} node per
 * partition, versioned by ZooKeeper) is still read, watched, updated with compare-and-set and deleted, next to topics
 * in the chunked layout.
 */
class OlderTopicLayoutTest {
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

    /** Writes {@code topic} exactly as the per-partition layout did (topic node without a chunk size). */
    private static void writeOldLayout(CuratorFramework curator, TopicMetadata topic) throws Exception {
        curator.create().creatingParentsIfNeeded().forPath(ZkPaths.topic(topic.name()),
                Codec.encode(TopicSnapshotBuilder.topicNode(topic, 0)));
        curator.create().forPath(ZkPaths.partitions(topic.name()), new byte[0]);
        for (PartitionState s : topic.partitionStates()) {
            curator.create().forPath(ZkPaths.partition(topic.name(), s.partition()), new byte[0]);
            curator.create().forPath(ZkPaths.partitionState(topic.name(), s.partition()),
                    Codec.encode(TopicSnapshotBuilder.stateNode(s, 0)));
        }
    }

    @Test
    void topicsStoredOneStateNodePerPartitionAreReadWatchedUpdatedAndDeleted() throws Exception {
        try (RegistryClient client = RegistryClient.connect(new RegistryConfig()
                .connect("zookeeper://" + zk.connectString()).root("/older").sessionTimeoutMs(3_000)
                .connectionTimeoutMs(3_000).retryBaseMs(50).retryMaxMs(500).watchCoalesceMs(10))) {
            writeOldLayout(client.curator(), TopicMetadata.withAssignment("old",
                    List.of(List.of(1, 2), List.of(2, 1), List.of(1, 2)), Map.of("retention.ms", "1000")));
            client.topics().create(TopicMetadata.withAssignment("new", List.of(List.of(2, 1)), Map.of()));

            TopicMetadata old = client.topics().get("old").orElseThrow();
            assertThat(old.partitions()).isEqualTo(3);
            assertThat(old.configs()).containsEntry("retention.ms", "1000");
            assertThat(old.partitionState(1).leader()).isEqualTo(2);
            assertThat(old.partitionState(1).version()).isZero();
            await().until(() -> client.topics().snapshot().keySet().containsAll(List.of("old", "new")));
            assertThat(client.topics().snapshot().get("old")).isEqualTo(old);

            PartitionState p0 = old.partitionState(0);
            assertThat(client.topics().compareAndSetPartitionState("old", 0, p0.withLeader(2, 1).withIsr(List.of(2)),
                    0)).isTrue();
            assertThat(client.topics().compareAndSetPartitionState("old", 0, p0.withLeader(1, 7), 0)).isFalse();
            Set<Integer> written = client.topics().compareAndSetPartitionStates("old",
                    List.of(old.partitionState(1).withIsr(List.of(2)), old.partitionState(2).withVersion(5)), null);
            assertThat(written).containsExactly(1);
            TopicMetadata after = client.topics().get("old").orElseThrow();
            assertThat(after.partitionState(0).leader()).isEqualTo(2);
            assertThat(after.partitionState(0).leaderEpoch()).isEqualTo(1);
            assertThat(after.partitionState(0).version()).isEqualTo(1);
            assertThat(after.partitionState(1).isr()).containsExactly(2);
            assertThat(client.curator().checkExists().forPath(ZkPaths.states("old"))).isNull();
            await().until(() -> client.topics().snapshot().get("old").equals(after));

            client.topics().delete("old");
            assertThat(client.topics().list()).containsExactly("new");
            await().until(() -> !client.topics().snapshot().containsKey("old"));
        }
    }
}
