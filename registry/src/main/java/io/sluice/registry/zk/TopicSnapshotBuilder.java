package io.sluice.registry.zk;

import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.SluiceException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts between {@link TopicMetadata} / {@link PartitionState} and their stored forms, and assembles the topic
 * snapshot from the cached {@code /topics} subtree. A topic enters the snapshot only once its node and every
 * partition state node are in the cache, so a topic whose creation or deletion is still arriving is left out rather
 * than shown half-made.
 *
 * <p>Stateless; thread-safe.
 */
final class TopicSnapshotBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSnapshotBuilder.class);

    private TopicSnapshotBuilder() {
    }

    static StoredForms.TopicNode topicNode(TopicMetadata topic) {
        StoredForms.TopicNode node = new StoredForms.TopicNode();
        node.name = topic.name();
        node.topicId = topic.topicId();
        node.partitions = topic.partitions();
        node.replicationFactor = topic.replicationFactor();
        node.configs = new TreeMap<>(topic.configs());
        node.assignment = new ArrayList<>(topic.partitions());
        for (PartitionState s : topic.partitionStates()) {
            StoredForms.Replicas r = new StoredForms.Replicas();
            r.brokers = new ArrayList<>(s.replicas());
            node.assignment.add(r);
        }
        return node;
    }

    static StoredForms.StateNode stateNode(PartitionState s) {
        StoredForms.StateNode node = new StoredForms.StateNode();
        node.leader = s.leader();
        node.leaderEpoch = s.leaderEpoch();
        node.isr = new ArrayList<>(s.isr());
        return node;
    }

    static PartitionState partitionState(StoredForms.TopicNode topic, int p, StoredForms.StateNode state,
            int version) {
        List<Integer> replicas = topic.assignment != null && p < topic.assignment.size()
                && topic.assignment.get(p).brokers != null ? topic.assignment.get(p).brokers : List.of();
        return new PartitionState(p, replicas, state.leader, state.leaderEpoch,
                state.isr == null ? List.of() : state.isr, version);
    }

    static TopicMetadata topic(StoredForms.TopicNode node, List<PartitionState> states) {
        return new TopicMetadata(node.name, node.topicId, node.replicationFactor, node.configs, states);
    }

    /** The snapshot of every complete topic in {@code cache} (a view of {@code /topics}), sorted by name. */
    static Map<String, TopicMetadata> build(CuratorCache cache) {
        Map<String, StoredForms.TopicNode> topics = new HashMap<>();
        Map<String, Map<Integer, ChildData>> rawStates = new HashMap<>();
        String prefix = ZkPaths.TOPICS + "/";
        cache.stream().forEach(d -> {
            if (!d.getPath().startsWith(prefix) || d.getData() == null) {
                return;
            }
            String[] parts = d.getPath().substring(prefix.length()).split("/");
            try {
                if (parts.length == 1) {
                    topics.put(parts[0], Codec.decode(d.getData(), StoredForms.TopicNode.class, d.getPath()));
                } else if (parts.length == 4 && parts[1].equals(ZkPaths.PARTITIONS) && parts[3].equals(ZkPaths.STATE)) {
                    rawStates.computeIfAbsent(parts[0], t -> new HashMap<>()).put(Integer.parseInt(parts[2]), d);
                }
            } catch (SluiceException | NumberFormatException e) {
                LOG.warn("ignoring topic node {}: {}", d.getPath(), e.getMessage());
            }
        });
        Map<String, TopicMetadata> out = new TreeMap<>();
        topics.forEach((name, node) -> {
            Map<Integer, ChildData> raw = rawStates.getOrDefault(name, Map.of());
            List<PartitionState> list = new ArrayList<>(node.partitions);
            for (int p = 0; p < node.partitions; p++) {
                ChildData d = raw.get(p);
                if (d == null) {
                    return;
                }
                try {
                    StoredForms.StateNode s = Codec.decode(d.getData(), StoredForms.StateNode.class, d.getPath());
                    list.add(partitionState(node, p, s, d.getStat().getVersion()));
                } catch (SluiceException e) {
                    LOG.warn("ignoring topic {}: {}", name, e.getMessage());
                    return;
                }
            }
            out.put(name, topic(node, list));
        });
        return Collections.unmodifiableMap(out);
    }
}
