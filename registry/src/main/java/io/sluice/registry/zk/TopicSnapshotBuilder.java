package io.sluice.registry.zk;

import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.SluiceException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts between {@link TopicMetadata} / {@link PartitionState} and their stored forms, and assembles the topic
 * snapshot from the cached {@code /topics} subtree, in either layout (state chunks, or the older one node per
 * partition). A topic enters the snapshot only once its node and every state node are in the cache, so a topic
 * whose creation or deletion is still arriving is left out rather than shown half-made.
 *
 * <p>Incremental: a topic none of whose nodes changed since the last build (same modification zxids) is not decoded
 * again, and keeps the same {@link TopicMetadata} instance, so that watchers can skip it by identity. A change of one
 * partition costs the decoding of its topic only.
 *
 * <p>The static methods are stateless and thread-safe; an instance (the builder of one cached view) is called by one
 * thread at a time.
 */
final class TopicSnapshotBuilder implements Function<CuratorCache, Map<String, TopicMetadata>> {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSnapshotBuilder.class);

    /** Per topic: the zxids its last decoding came from, and the result. */
    private Map<String, Decoded> previous = Map.of();

    private record Decoded(long[] zxids, boolean chunked, TopicMetadata topic) {
    }

    static StoredForms.TopicNode topicNode(TopicMetadata topic, int statesPerChunk) {
        StoredForms.TopicNode node = new StoredForms.TopicNode();
        node.name = topic.name();
        node.topicId = topic.topicId();
        node.partitions = topic.partitions();
        node.replicationFactor = topic.replicationFactor();
        node.configs = new TreeMap<>(topic.configs());
        node.statesPerChunk = statesPerChunk;
        node.assignment = new ArrayList<>(topic.partitions());
        for (PartitionState s : topic.partitionStates()) {
            StoredForms.Replicas r = new StoredForms.Replicas();
            r.brokers = new ArrayList<>(s.replicas());
            node.assignment.add(r);
        }
        return node;
    }

    /** The stored form of {@code s}; {@code version} goes into the record (chunked layout) or is 0 (per node). */
    static StoredForms.StateNode stateNode(PartitionState s, int version) {
        StoredForms.StateNode node = new StoredForms.StateNode();
        node.leader = s.leader();
        node.leaderEpoch = s.leaderEpoch();
        node.isr = new ArrayList<>(s.isr());
        node.version = version;
        return node;
    }

    /** The chunk nodes of a new topic: its initial states at version 0, {@code perChunk} per node. */
    static List<StoredForms.StateChunk> chunks(TopicMetadata topic, int perChunk) {
        List<StoredForms.StateChunk> out = new ArrayList<>();
        for (int first = 0; first < topic.partitions(); first += perChunk) {
            StoredForms.StateChunk chunk = new StoredForms.StateChunk();
            chunk.first = first;
            chunk.states = new ArrayList<>(perChunk);
            for (int p = first; p < Math.min(topic.partitions(), first + perChunk); p++) {
                chunk.states.add(stateNode(topic.partitionState(p), 0));
            }
            out.add(chunk);
        }
        return out;
    }

    static int chunkCount(int partitions, int perChunk) {
        return (partitions + perChunk - 1) / perChunk;
    }

    static PartitionState partitionState(StoredForms.TopicNode topic, int p, StoredForms.StateNode state,
            int version) {
        return partitionState(topic, p, state, version, new HashMap<>());
    }

    /**
     * As above, with replica and in-sync lists shared through {@code interned} (immutable, so PartitionState keeps
     * them as they are): the partitions of a topic on a few brokers have only a few distinct lists, so a decoded
     * partition costs one small object rather than three.
     */
    static PartitionState partitionState(StoredForms.TopicNode topic, int p, StoredForms.StateNode state,
            int version, Map<List<Integer>, List<Integer>> interned) {
        List<Integer> replicas = topic.assignment != null && p < topic.assignment.size()
                && topic.assignment.get(p).brokers != null ? topic.assignment.get(p).brokers : List.of();
        return new PartitionState(p, interned.computeIfAbsent(replicas, List::copyOf), state.leader,
                state.leaderEpoch, interned.computeIfAbsent(state.isr == null ? List.of() : state.isr, List::copyOf),
                version);
    }

    /** Appends the states of {@code chunk} (number {@code index} of {@code topic}) to {@code out}. */
    static void addChunk(StoredForms.TopicNode topic, int index, StoredForms.StateChunk chunk,
            List<PartitionState> out, String path) {
        addChunk(topic, index, chunk, out, path, new HashMap<>());
    }

    static void addChunk(StoredForms.TopicNode topic, int index, StoredForms.StateChunk chunk,
            List<PartitionState> out, String path, Map<List<Integer>, List<Integer>> interned) {
        int expected = Math.min(topic.statesPerChunk, topic.partitions - index * topic.statesPerChunk);
        if (chunk.first != index * topic.statesPerChunk || chunk.states == null || chunk.states.size() != expected) {
            throw new SluiceException(io.sluice.remoting.ErrorCode.UNKNOWN, "registry node " + path + " holds "
                    + (chunk.states == null ? 0 : chunk.states.size()) + " states from partition " + chunk.first
                    + ", not " + expected + " from " + index * topic.statesPerChunk);
        }
        for (int i = 0; i < chunk.states.size(); i++) {
            StoredForms.StateNode s = chunk.states.get(i);
            out.add(partitionState(topic, chunk.first + i, s, s.version, interned));
        }
    }

    static TopicMetadata topic(StoredForms.TopicNode node, List<PartitionState> states) {
        return new TopicMetadata(node.name, node.topicId, node.replicationFactor, node.configs, states);
    }

    /** The snapshot of every complete topic in {@code cache} (a view of {@code /topics}), sorted by name. */
    @Override
    public Map<String, TopicMetadata> apply(CuratorCache cache) {
        Map<String, ChildData> topicNodes = new HashMap<>();
        Map<String, Map<Integer, ChildData>> chunkNodes = new HashMap<>();
        Map<String, Map<Integer, ChildData>> legacyNodes = new HashMap<>();
        String prefix = ZkPaths.TOPICS + "/";
        cache.stream().forEach(d -> {
            if (!d.getPath().startsWith(prefix) || d.getData() == null) {
                return;
            }
            String[] parts = d.getPath().substring(prefix.length()).split("/");
            try {
                if (parts.length == 1) {
                    topicNodes.put(parts[0], d);
                } else if (parts.length == 3 && parts[1].equals(ZkPaths.STATES)) {
                    chunkNodes.computeIfAbsent(parts[0], t -> new HashMap<>()).put(Integer.parseInt(parts[2]), d);
                } else if (parts.length == 4 && parts[1].equals(ZkPaths.PARTITIONS) && parts[3].equals(ZkPaths.STATE)) {
                    legacyNodes.computeIfAbsent(parts[0], t -> new HashMap<>()).put(Integer.parseInt(parts[2]), d);
                }
            } catch (NumberFormatException e) {
                LOG.warn("ignoring topic node {}: {}", d.getPath(), e.getMessage());
            }
        });
        Map<String, Decoded> decoded = new HashMap<>();
        Map<String, TopicMetadata> out = new TreeMap<>();
        topicNodes.forEach((name, topicData) -> {
            try {
                Decoded d = decode(name, topicData, chunkNodes.getOrDefault(name, Map.of()),
                        legacyNodes.getOrDefault(name, Map.of()));
                if (d != null) {
                    decoded.put(name, d);
                    out.put(name, d.topic());
                }
            } catch (SluiceException e) {
                LOG.warn("ignoring topic {}: {}", name, e.getMessage());
            }
        });
        previous = decoded;
        return Collections.unmodifiableMap(out);
    }

    /** The topic from its cached nodes, reusing the last result if none changed; null while incomplete. */
    private Decoded decode(String name, ChildData topicData, Map<Integer, ChildData> chunks,
            Map<Integer, ChildData> legacy) {
        StoredForms.TopicNode node = null;
        Decoded last = previous.get(name);
        long topicZxid = topicData.getStat().getMzxid();
        if (last == null || last.zxids()[0] != topicZxid) {
            node = Codec.decode(topicData.getData(), StoredForms.TopicNode.class, topicData.getPath());
        }
        int count = node != null ? (node.statesPerChunk > 0 ? chunkCount(node.partitions, node.statesPerChunk)
                : node.partitions) : last.zxids().length - 1;
        boolean chunked = node != null ? node.statesPerChunk > 0 : last.chunked();
        Map<Integer, ChildData> states = chunked ? chunks : legacy;
        long[] zxids = new long[count + 1];
        zxids[0] = topicZxid;
        for (int i = 0; i < count; i++) {
            ChildData d = states.get(i);
            if (d == null) {
                return null;
            }
            zxids[i + 1] = d.getStat().getMzxid();
        }
        if (last != null && Arrays.equals(zxids, last.zxids())) {
            return last;
        }
        if (node == null) {
            node = Codec.decode(topicData.getData(), StoredForms.TopicNode.class, topicData.getPath());
        }
        List<PartitionState> list = new ArrayList<>(node.partitions);
        Map<List<Integer>, List<Integer>> interned = new HashMap<>();
        for (int i = 0; i < count; i++) {
            ChildData d = states.get(i);
            if (chunked) {
                addChunk(node, i, Codec.decode(d.getData(), StoredForms.StateChunk.class, d.getPath()), list,
                        d.getPath(), interned);
            } else {
                list.add(partitionState(node, i, Codec.decode(d.getData(), StoredForms.StateNode.class, d.getPath()),
                        d.getStat().getVersion(), interned));
            }
        }
        return new Decoded(zxids, chunked, topic(node, list));
    }
}
