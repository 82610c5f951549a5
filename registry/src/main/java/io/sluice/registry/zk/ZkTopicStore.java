package io.sluice.registry.zk;

import io.sluice.registry.LeaderElection;
import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicMetadata;
import io.sluice.registry.TopicNames;
import io.sluice.registry.TopicStore;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

/**
 * {@link TopicStore} on ZooKeeper (layout in {@link ZkPaths}). Creation and deletion are one multi-op transaction
 * each; partition state updates are conditional {@code setData} on the state node's version, optionally in a
 * transaction with a check of the election's epoch node. {@link #snapshot()} and {@link #watch} come from a lazily
 * started {@link CachedTree} of {@code /topics} decoded by {@link TopicSnapshotBuilder}.
 *
 * <p>Thread-safe.
 */
public final class ZkTopicStore implements TopicStore, AutoCloseable {
    private static final int DELETE_ATTEMPTS = 3;

    private final ZkContext ctx;
    private final CuratorFramework client;
    private final CachedTree<Map<String, TopicMetadata>> tree;

    public ZkTopicStore(ZkContext ctx) {
        this.ctx = ctx;
        this.client = ctx.client();
        this.tree = new CachedTree<>(ctx, ZkPaths.TOPICS, TopicSnapshotBuilder::build, Map.of());
    }

    @Override
    public void create(TopicMetadata topic) {
        validateForCreate(topic);
        String name = topic.name();
        ctx.requireConnected("create topic '" + name + "'");
        List<CuratorOp> ops = new ArrayList<>(2 + 2 * topic.partitions());
        try {
            ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                    .forPath(ZkPaths.topic(name), Codec.encode(TopicSnapshotBuilder.topicNode(topic))));
            ops.add(client.transactionOp().create().forPath(ZkPaths.partitions(name), new byte[0]));
            for (PartitionState s : topic.partitionStates()) {
                ops.add(client.transactionOp().create().forPath(ZkPaths.partition(name, s.partition()), new byte[0]));
                ops.add(client.transactionOp().create().forPath(ZkPaths.partitionState(name, s.partition()),
                        Codec.encode(TopicSnapshotBuilder.stateNode(s))));
            }
            try {
                client.transaction().forOperations(ops);
            } catch (KeeperException.NoNodeException e) {
                // /topics itself is missing (fresh registry): create it as a plain persistent node, then retry
                ensureTopicsRoot();
                client.transaction().forOperations(ops);
            }
        } catch (KeeperException.NodeExistsException e) {
            throw new SluiceException(ErrorCode.TOPIC_ALREADY_EXISTS, "topic '" + name + "' already exists");
        } catch (Exception e) {
            throw ctx.translate("create topic '" + name + "'", e);
        }
    }

    private void ensureTopicsRoot() throws Exception {
        try {
            client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(ZkPaths.TOPICS);
        } catch (KeeperException.NodeExistsException e) {
            // fine
        }
    }

    private static void validateForCreate(TopicMetadata topic) {
        TopicNames.validate(topic.name());
        int n = topic.partitions();
        if (n < 1 || n > MAX_PARTITIONS) {
            throw new SluiceException(ErrorCode.INVALID_PARTITIONS, "topic '" + topic.name() + "' has " + n
                    + " partitions: must be 1.." + MAX_PARTITIONS);
        }
        int rf = topic.replicationFactor();
        if (rf < 1) {
            throw new SluiceException(ErrorCode.INVALID_REPLICATION_FACTOR, "topic '" + topic.name()
                    + "' replication factor " + rf + " is invalid: must be at least 1");
        }
        for (int p = 0; p < n; p++) {
            PartitionState s = topic.partitionState(p);
            if (s.partition() != p) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "topic '" + topic.name() + "' state at index "
                        + p + " is for partition " + s.partition() + ": states must be in partition order");
            }
            List<Integer> replicas = s.replicas();
            if (replicas.size() != rf || new HashSet<>(replicas).size() != rf
                    || replicas.stream().anyMatch(id -> id == null || id < 0)) {
                throw new SluiceException(ErrorCode.INVALID_REPLICATION_FACTOR, "topic '" + topic.name()
                        + "' partition " + p + " has replicas " + replicas + ": need " + rf
                        + " distinct non-negative broker ids");
            }
            if (s.leader() != PartitionState.NO_LEADER && !replicas.contains(s.leader())) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "topic '" + topic.name() + "' partition " + p
                        + " leader " + s.leader() + " is not one of its replicas " + replicas);
            }
        }
    }

    @Override
    public void delete(String topic) {
        if (!TopicNames.isValid(topic)) {
            throw unknownTopic(topic);
        }
        String topicPath = ZkPaths.topic(topic);
        ctx.requireConnected("delete topic '" + topic + "'");
        try {
            for (int attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
                if (client.checkExists().forPath(topicPath) == null) {
                    throw unknownTopic(topic);
                }
                List<String> postOrder = new ArrayList<>();
                try {
                    collectSubtree(topicPath, postOrder);
                    List<CuratorOp> ops = new ArrayList<>(postOrder.size());
                    for (String path : postOrder) {
                        ops.add(client.transactionOp().delete().forPath(path));
                    }
                    client.transaction().forOperations(ops);
                    return;
                } catch (KeeperException.NoNodeException | KeeperException.NotEmptyException raced) {
                    // the subtree changed while we listed it: list again
                }
            }
        } catch (Exception e) {
            throw ctx.translate("delete topic '" + topic + "'", e);
        }
        throw new SluiceException(ErrorCode.REGISTRY_UNAVAILABLE, "could not delete topic '" + topic
                + "': it kept changing during deletion; retry");
    }

    /** Adds every node of the subtree at {@code path} to {@code out}, children before parents. */
    private void collectSubtree(String path, List<String> out) throws Exception {
        for (String child : client.getChildren().forPath(path)) {
            collectSubtree(path + "/" + child, out);
        }
        out.add(path);
    }

    @Override
    public Optional<TopicMetadata> get(String topic) {
        if (!TopicNames.isValid(topic)) {
            return Optional.empty();
        }
        ctx.requireConnected("read topic '" + topic + "'");
        try {
            String topicPath = ZkPaths.topic(topic);
            StoredForms.TopicNode node = Codec.decode(client.getData().forPath(topicPath),
                    StoredForms.TopicNode.class, topicPath);
            List<PartitionState> states = new ArrayList<>(node.partitions);
            for (int p = 0; p < node.partitions; p++) {
                String statePath = ZkPaths.partitionState(topic, p);
                Stat stat = new Stat();
                byte[] data = client.getData().storingStatIn(stat).forPath(statePath);
                states.add(TopicSnapshotBuilder.partitionState(node, p,
                        Codec.decode(data, StoredForms.StateNode.class, statePath), stat.getVersion()));
            }
            return Optional.of(TopicSnapshotBuilder.topic(node, states));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw ctx.translate("read topic '" + topic + "'", e);
        }
    }

    @Override
    public List<String> list() {
        ctx.requireConnected("list topics");
        try {
            List<String> names = new ArrayList<>(client.getChildren().forPath(ZkPaths.TOPICS));
            names.sort(null);
            return names;
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw ctx.translate("list topics", e);
        }
    }

    @Override
    public Map<String, TopicMetadata> snapshot() {
        return tree.start().current();
    }

    @Override
    public AutoCloseable watch(Consumer<Map<String, TopicMetadata>> listener) {
        return tree.start().subscribe(listener);
    }

    @Override
    public boolean compareAndSetPartitionState(String topic, int partition, PartitionState newState,
            int expectedVersion) {
        return casPartitionState(topic, partition, newState, expectedVersion, null);
    }

    @Override
    public boolean compareAndSetPartitionState(String topic, int partition, PartitionState newState,
            int expectedVersion, LeaderElection fence) {
        if (!(fence instanceof ZkLeaderElection election)) {
            throw new IllegalArgumentException("fence must be an election of this registry client, not " + fence);
        }
        return casPartitionState(topic, partition, newState, expectedVersion, election);
    }

    private boolean casPartitionState(String topic, int partition, PartitionState newState, int expectedVersion,
            ZkLeaderElection fence) {
        if (!TopicNames.isValid(topic)) {
            throw unknownTopic(topic);
        }
        if (partition < 0) {
            throw unknownPartition(topic, partition);
        }
        if (newState.leaderEpoch() < 0 || newState.leader() < PartitionState.NO_LEADER) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "partition state " + newState + " is invalid:"
                    + " leader must be >= -1 and leader epoch >= 0");
        }
        String statePath = ZkPaths.partitionState(topic, partition);
        byte[] data = Codec.encode(TopicSnapshotBuilder.stateNode(newState));
        ctx.requireConnected("update partition " + topic + "-" + partition);
        try {
            if (fence == null) {
                client.setData().withVersion(expectedVersion).forPath(statePath, data);
                return true;
            }
            ZkLeaderElection.Fence f = fence.fence();
            try {
                client.transaction().forOperations(
                        client.transactionOp().check().withVersion(f.epochVersion()).forPath(f.epochPath()),
                        client.transactionOp().setData().withVersion(expectedVersion).forPath(statePath, data));
                return true;
            } catch (KeeperException e) {
                List<OpResult> results = e.getResults();
                if (results != null && !results.isEmpty() && results.get(0) instanceof OpResult.ErrorResult err
                        && err.getErr() != KeeperException.Code.OK.intValue()) {
                    throw fence.staleEpoch(f);
                }
                throw e;
            }
        } catch (KeeperException.BadVersionException e) {
            return false;
        } catch (KeeperException.NoNodeException e) {
            throw topicExists(topic) ? unknownPartition(topic, partition) : unknownTopic(topic);
        } catch (Exception e) {
            throw ctx.translate("update partition " + topic + "-" + partition, e);
        }
    }

    private boolean topicExists(String topic) {
        try {
            return client.checkExists().forPath(ZkPaths.topic(topic)) != null;
        } catch (Exception e) {
            throw ctx.translate("read topic '" + topic + "'", e);
        }
    }

    private static SluiceException unknownTopic(String topic) {
        return new SluiceException(ErrorCode.UNKNOWN_TOPIC, "topic '" + topic + "' does not exist");
    }

    private static SluiceException unknownPartition(String topic, int partition) {
        return new SluiceException(ErrorCode.UNKNOWN_PARTITION, "topic '" + topic + "' has no partition "
                + partition);
    }

    @Override
    public void close() {
        tree.close();
    }
}
