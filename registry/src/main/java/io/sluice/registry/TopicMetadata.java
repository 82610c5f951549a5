package io.sluice.registry;

import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.TopicRoute;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A topic as the registry stores it: its name, replication factor, configs and one {@link PartitionState} per
 * partition (index = partition number).
 *
 * <p>Immutable; thread-safe.
 */
public final class TopicMetadata {
    private final String name;
    private final String topicId;
    private final int replicationFactor;
    private final Map<String, String> configs;
    private final List<PartitionState> partitionStates;

    public TopicMetadata(String name, int replicationFactor, Map<String, String> configs,
            List<PartitionState> partitionStates) {
        this(name, "", replicationFactor, configs, partitionStates);
    }

    /**
     * {@code topicId} tells apart two topics of the same name created one after the other, so a broker never
     * serves the logs of a deleted topic as those of its namesake ("" when unknown).
     */
    public TopicMetadata(String name, String topicId, int replicationFactor, Map<String, String> configs,
            List<PartitionState> partitionStates) {
        this.name = Objects.requireNonNull(name, "name");
        this.topicId = topicId == null ? "" : topicId;
        this.replicationFactor = replicationFactor;
        this.configs = configs == null || configs.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new TreeMap<>(configs));
        this.partitionStates = List.copyOf(partitionStates);
    }

    /**
     * A new topic from a replica assignment ({@code replicasPerPartition.get(p)} = broker ids of partition p,
     * preferred leader first); each partition starts led by its first replica with all replicas in sync.
     */
    public static TopicMetadata withAssignment(String name, List<List<Integer>> replicasPerPartition,
            Map<String, String> configs) {
        List<PartitionState> states = new ArrayList<>(replicasPerPartition.size());
        for (int p = 0; p < replicasPerPartition.size(); p++) {
            states.add(PartitionState.initial(p, replicasPerPartition.get(p)));
        }
        int rf = replicasPerPartition.isEmpty() ? 0 : replicasPerPartition.get(0).size();
        return new TopicMetadata(name, java.util.UUID.randomUUID().toString(), rf, configs, states);
    }

    public String name() {
        return name;
    }

    /** Unique id of this incarnation of the topic ("" when unknown). */
    public String topicId() {
        return topicId;
    }

    /** Number of partitions. */
    public int partitions() {
        return partitionStates.size();
    }

    public int replicationFactor() {
        return replicationFactor;
    }

    /** Topic-level configs (sorted by key, unmodifiable). */
    public Map<String, String> configs() {
        return configs;
    }

    /** One state per partition, in partition order. */
    public List<PartitionState> partitionStates() {
        return partitionStates;
    }

    /** The state of partition {@code p}; IndexOutOfBoundsException if the topic has no such partition. */
    public PartitionState partitionState(int p) {
        return partitionStates.get(p);
    }

    /** A copy with one partition's state replaced. */
    public TopicMetadata withPartitionState(PartitionState state) {
        List<PartitionState> states = new ArrayList<>(partitionStates);
        states.set(state.partition(), state);
        return new TopicMetadata(name, topicId, replicationFactor, configs, states);
    }

    /** The route clients see for this topic (a new mutable wire object). */
    public TopicRoute toRoute() {
        TopicRoute route = new TopicRoute();
        route.topic = name;
        route.replicationFactor = replicationFactor;
        route.configs = new TreeMap<>(configs);
        route.partitions = new ArrayList<>(partitionStates.size());
        for (PartitionState s : partitionStates) {
            PartitionRoute pr = new PartitionRoute();
            pr.partition = s.partition();
            pr.leader = s.leader();
            pr.leaderEpoch = s.leaderEpoch();
            pr.replicas = new ArrayList<>(s.replicas());
            pr.isr = new ArrayList<>(s.isr());
            route.partitions.add(pr);
        }
        return route;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicMetadata that && replicationFactor == that.replicationFactor
                && name.equals(that.name) && topicId.equals(that.topicId) && configs.equals(that.configs)
                && partitionStates.equals(that.partitionStates);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, topicId, replicationFactor, configs, partitionStates);
    }

    @Override
    public String toString() {
        return "TopicMetadata{name=" + name + ", partitions=" + partitions() + ", replicationFactor="
                + replicationFactor + ", configs=" + configs + ", partitionStates=" + partitionStates + "}";
    }
}
