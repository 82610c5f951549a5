package io.sluice.registry.zk;

import io.sluice.registry.LeaderElection;
import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.TopicNames;
import io.sluice.registry.TopicStore;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

/**
 * {@link TopicStore} on ZooKeeper (layout in {@link ZkPaths}). Creation and deletion are one multi-op transaction
 * each; a topic's partition states are stored in chunks of {@link ZkPaths#STATES_PER_CHUNK}, so a topic of 10,000
 * partitions is created in one transaction of about a hundred nodes. Partition state updates are compare-and-set on
 * each partition's own version ({@link StateChunkWriter}), many partitions in one multi-operation, optionally with a
 * check of the election's epoch node; topics stored in the older layout, one state node per partition, are read and
 * updated as before. {@link #snapshot()} and {@link #watch} come from a lazily
 * started {@link CachedTree} of {@code /topics} decoded by {@link TopicSnapshotBuilder}.
 *
 * <p>Thread-safe.
 */
public final class ZkTopicStore implements TopicStore, AutoCloseable {
    private static final int DELETE_ATTEMPTS = 3;
    /** Bytes one topic creation may write: under ZooKeeper's default 1 MB request limit (jute.maxbuffer). */
    static final int MAX_CREATE_BYTES = 900 * 1024;

    private final ZkContext ctx;
    private final CuratorFramework client;
    private final CachedTree<Map<String, TopicMetadata>> tree;
    private final StateChunkWriter chunks;

    public ZkTopicStore(ZkContext ctx) {
        this.ctx = ctx;
        this.client = ctx.client();
        this.tree = new CachedTree<>(ctx, ZkPaths.TOPICS, new TopicSnapshotBuilder(), Map.of());
        this.chunks = new StateChunkWriter(client);
    }

    @Override
    public void create(TopicMetadata topic) {
        validateForCreate(topic);
        String name = topic.name();
        ctx.requireConnected("create topic '" + name + "'");
        int perChunk = ZkPaths.STATES_PER_CHUNK;
        List<StoredForms.StateChunk> chunks = TopicSnapshotBuilder.chunks(topic, perChunk);
        List<CuratorOp> ops = new ArrayList<>(2 + chunks.size());
        try {
            byte[] topicNode = Codec.encode(TopicSnapshotBuilder.topicNode(topic, perChunk));
            long bytes = topicNode.length;
            ops.add(client.transactionOp().create().withMode(CreateMode.PERSISTENT)
                    .forPath(ZkPaths.topic(name), topicNode));
            ops.add(client.transactionOp().create().forPath(ZkPaths.states(name), new byte[0]));
            for (int c = 0; c < chunks.size(); c++) {
                byte[] data = Codec.encode(chunks.get(c));
                bytes += data.length;
                ops.add(client.transactionOp().create().forPath(ZkPaths.stateChunk(name, c), data));
            }
            if (bytes > MAX_CREATE_BYTES) {
                throw new SluiceException(ErrorCode.INVALID_PARTITIONS, "topic '" + name + "' with "
                        + topic.partitions() + " partitions of " + topic.replicationFactor() + " replicas and its"
                        + " configs take " + bytes + " bytes in the registry, over the " + MAX_CREATE_BYTES
                        + " one creation may write: use fewer partitions or replicas");
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
        } catch (SluiceException e) {
            throw e;
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
            Map<List<Integer>, List<Integer>> interned = new java.util.HashMap<>();
            if (node.statesPerChunk > 0) {
                for (int c = 0; c < TopicSnapshotBuilder.chunkCount(node.partitions, node.statesPerChunk); c++) {
                    String chunkPath = ZkPaths.stateChunk(topic, c);
                    TopicSnapshotBuilder.addChunk(node, c, Codec.decode(client.getData().forPath(chunkPath),
                            StoredForms.StateChunk.class, chunkPath), states, chunkPath, interned);
                }
            }
            for (int p = 0; node.statesPerChunk <= 0 && p < node.partitions; p++) {
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
        return casPartitionState(topic, partition, newState, expectedVersion, election(fence));
    }

    @Override
    public Set<Integer> compareAndSetPartitionStates(String topic, List<PartitionState> updates,
            LeaderElection fence) {
        ZkLeaderElection election = fence == null ? null : election(fence);
        if (!TopicNames.isValid(topic)) {
            throw unknownTopic(topic);
        }
        if (updates.isEmpty()) {
            return Set.of();
        }
        Set<Integer> seen = new HashSet<>();
        for (PartitionState u : updates) {
            validateUpdate(topic, u);
            if (!seen.add(u.partition())) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "partition " + topic + "-" + u.partition()
                        + " is updated twice in one batch");
            }
        }
        ctx.requireConnected("update " + updates.size() + " partition(s) of " + topic);
        try {
            return chunks.write(topic, updates, election);
        } catch (KeeperException.NoNodeException e) {
            if (!exists(ZkPaths.states(topic))) {
                if (!exists(ZkPaths.topic(topic))) {
                    throw unknownTopic(topic);
                }
                return legacyBatch(topic, updates, election); // a topic stored one node per partition
            }
            throw topicExists(topic) ? unknownPartition(topic, e.getPath()) : unknownTopic(topic);
        } catch (SluiceException e) {
            throw e;
        } catch (Exception e) {
            throw ctx.translate("update " + updates.size() + " partition(s) of " + topic, e);
        }
    }

    private static ZkLeaderElection election(LeaderElection fence) {
        if (!(fence instanceof ZkLeaderElection election)) {
            throw new IllegalArgumentException("fence must be an election of this registry client, not " + fence);
        }
        return election;
    }

    private Set<Integer> legacyBatch(String topic, List<PartitionState> updates, ZkLeaderElection fence) {
        Set<Integer> written = new HashSet<>();
        for (PartitionState u : updates) {
            if (legacyCas(topic, u.partition(), u, u.version(), fence)) {
                written.add(u.partition());
            }
        }
        return written;
    }

    private static void validateUpdate(String topic, PartitionState newState) {
        if (newState.partition() < 0) {
            throw unknownPartition(topic, newState.partition());
        }
        if (newState.leaderEpoch() < 0 || newState.leader() < PartitionState.NO_LEADER) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "partition state " + newState + " is invalid:"
                    + " leader must be >= -1 and leader epoch >= 0");
        }
    }

    private boolean casPartitionState(String topic, int partition, PartitionState newState, int expectedVersion,
            ZkLeaderElection fence) {
        if (!TopicNames.isValid(topic)) {
            throw unknownTopic(topic);
        }
        PartitionState update = new PartitionState(partition, newState.replicas(), newState.leader(),
                newState.leaderEpoch(), newState.isr(), expectedVersion);
        validateUpdate(topic, update);
        return compareAndSetPartitionStates(topic, List.of(update), fence).contains(partition);
    }

    /** Compare-and-set of one state node of a topic stored one node per partition (its ZooKeeper version). */
    private boolean legacyCas(String topic, int partition, PartitionState newState, int expectedVersion,
            ZkLeaderElection fence) {
        String statePath = ZkPaths.partitionState(topic, partition);
        byte[] data = Codec.encode(TopicSnapshotBuilder.stateNode(newState, 0));
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
        } catch (SluiceException e) {
            throw e;
        } catch (Exception e) {
            throw ctx.translate("update partition " + topic + "-" + partition, e);
        }
    }

    private boolean exists(String path) {
        try {
            return client.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw ctx.translate("read " + path, e);
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

    private static SluiceException unknownPartition(String topic, String missingChunk) {
        return new SluiceException(ErrorCode.UNKNOWN_PARTITION, "topic '" + topic + "' has no partition stored in "
                + missingChunk);
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
