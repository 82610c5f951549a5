package io.sluice.registry.zk;

import io.sluice.registry.PartitionState;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;

/**
 * Compare-and-set of partition states stored in chunks ({@code /topics/<t>/states/<c>}, see {@link ZkPaths}). Each
 * partition keeps its own version inside the chunk, so the semantics are those of one node per partition: an update
 * is written only if the partition is still at the version it expects, and bumps it by one. The chunk node's
 * ZooKeeper version only guards the read-modify-write: when another writer changed some other partition of the chunk
 * in between, the chunk is read again and the update retried, without being reported as lost.
 *
 * <p>Every update of one chunk is one {@code setData}; up to {@value #MAX_WRITES_PER_TRANSACTION} chunks (and at most
 * {@value #MAX_TRANSACTION_BYTES} bytes) go into one multi-operation, with the controller's fence check in front
 * when given. So failing over the 1,000 partitions of a topic is about ten chunk reads and one transaction, not a
 * thousand round trips.
 *
 * <p>Stateless; thread-safe.
 */
final class StateChunkWriter {
    /** Chunk writes per multi-operation. */
    static final int MAX_WRITES_PER_TRANSACTION = 50;
    /** Bytes of chunk data per multi-operation, well under ZooKeeper's default 1 MB request limit (jute.maxbuffer). */
    static final int MAX_TRANSACTION_BYTES = 512 * 1024;
    /** Rounds of re-reading chunks that other writers changed meanwhile before giving up on the rest. */
    private static final int ATTEMPTS = 10;

    private final CuratorFramework client;

    StateChunkWriter(CuratorFramework client) {
        this.client = client;
    }

    /** A chunk with the updates applied, ready to write at the version it was read at. */
    private record ChunkWrite(int chunk, int zkVersion, byte[] data, Map<Integer, PartitionState> applied) {
    }

    /**
     * Writes {@code updates} (each at its expected {@link PartitionState#version()}) of {@code topic}; returns the
     * partitions written. Throws NoNodeException when a chunk is missing (the caller tells a topic in the older
     * layout, a deleted topic and a partition out of range apart), and a {@link SluiceException} STALE_CONTROLLER_EPOCH
     * through {@code staleFence} when the fence check fails.
     */
    Set<Integer> write(String topic, List<PartitionState> updates, ZkLeaderElection fence) throws Exception {
        Map<Integer, Map<Integer, PartitionState>> pending = new TreeMap<>();
        for (PartitionState u : updates) {
            pending.computeIfAbsent(u.partition() / ZkPaths.STATES_PER_CHUNK, c -> new TreeMap<>())
                    .put(u.partition(), u);
        }
        Set<Integer> written = new HashSet<>();
        for (int attempt = 0; attempt < ATTEMPTS && !pending.isEmpty(); attempt++) {
            List<ChunkWrite> writes = new ArrayList<>();
            for (Map.Entry<Integer, Map<Integer, PartitionState>> e : pending.entrySet()) {
                ChunkWrite w = prepare(topic, e.getKey(), e.getValue());
                if (w != null) {
                    writes.add(w);
                }
            }
            pending.clear();
            ZkLeaderElection.Fence f = fence == null ? null : fence.fence();
            int from = 0;
            while (from < writes.size()) {
                int to = from;
                int bytes = 0;
                while (to < writes.size() && to - from < MAX_WRITES_PER_TRANSACTION
                        && (to == from || bytes + writes.get(to).data().length <= MAX_TRANSACTION_BYTES)) {
                    bytes += writes.get(to).data().length;
                    to++;
                }
                List<ChunkWrite> group = writes.subList(from, to);
                if (commit(topic, group, fence, f)) {
                    for (ChunkWrite w : group) {
                        written.addAll(w.applied().keySet());
                    }
                } else {
                    for (ChunkWrite w : group) {
                        pending.put(w.chunk(), w.applied());
                    }
                }
                from = to;
            }
        }
        return written;
    }

    /** Reads chunk {@code chunk} and applies the updates still at their expected version; null if none is. */
    private ChunkWrite prepare(String topic, int chunk, Map<Integer, PartitionState> updates) throws Exception {
        String path = ZkPaths.stateChunk(topic, chunk);
        Stat stat = new Stat();
        StoredForms.StateChunk stored = Codec.decode(client.getData().storingStatIn(stat).forPath(path),
                StoredForms.StateChunk.class, path);
        Map<Integer, PartitionState> applied = new TreeMap<>();
        for (PartitionState u : updates.values()) {
            int index = u.partition() - stored.first;
            if (stored.states == null || index < 0 || index >= stored.states.size()) {
                throw new SluiceException(ErrorCode.UNKNOWN_PARTITION, "topic '" + topic + "' has no partition "
                        + u.partition());
            }
            if (stored.states.get(index).version == u.version()) {
                stored.states.set(index, TopicSnapshotBuilder.stateNode(u, u.version() + 1));
                applied.put(u.partition(), u);
            }
        }
        return applied.isEmpty() ? null : new ChunkWrite(chunk, stat.getVersion(), Codec.encode(stored), applied);
    }

    /** True if the group was written; false if some chunk changed since it was read (read it again). */
    private boolean commit(String topic, List<ChunkWrite> group, ZkLeaderElection fence, ZkLeaderElection.Fence f)
            throws Exception {
        List<CuratorOp> ops = new ArrayList<>(group.size() + 1);
        if (f != null) {
            ops.add(client.transactionOp().check().withVersion(f.epochVersion()).forPath(f.epochPath()));
        }
        for (ChunkWrite w : group) {
            ops.add(client.transactionOp().setData().withVersion(w.zkVersion())
                    .forPath(ZkPaths.stateChunk(topic, w.chunk()), w.data()));
        }
        try {
            client.transaction().forOperations(ops);
            return true;
        } catch (KeeperException e) {
            List<OpResult> results = e.getResults();
            if (f != null && results != null && !results.isEmpty() && results.get(0) instanceof OpResult.ErrorResult err
                    && err.getErr() != KeeperException.Code.OK.intValue()) {
                throw fence.staleEpoch(f);
            }
            if (e instanceof KeeperException.BadVersionException) {
                return false;
            }
            throw e;
        }
    }
}
