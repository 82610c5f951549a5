package io.sluice.registry;

import java.util.List;
import java.util.Objects;

/**
 * The replication state of one partition as the registry stores it: the assigned replicas (from the topic's
 * assignment), the leader, the leader epoch, the in-sync replicas, and the ZooKeeper version of the state node,
 * which {@link TopicStore#compareAndSetPartitionState} compares before writing.
 *
 * <p>Immutable; thread-safe. The {@code with*} methods return modified copies.
 */
public final class PartitionState {
    /** Leader id when the partition has no leader. */
    public static final int NO_LEADER = -1;
    /** Version of a state not read from the registry. */
    public static final int NO_VERSION = -1;

    private final int partition;
    private final List<Integer> replicas;
    private final int leader;
    private final int leaderEpoch;
    private final List<Integer> isr;
    private final int version;

    public PartitionState(int partition, List<Integer> replicas, int leader, int leaderEpoch, List<Integer> isr,
            int version) {
        this.partition = partition;
        this.replicas = List.copyOf(replicas);
        this.leader = leader;
        this.leaderEpoch = leaderEpoch;
        this.isr = List.copyOf(isr);
        this.version = version;
    }

    /** A new partition's state: the first replica leads at epoch 0, all replicas in sync. */
    public static PartitionState initial(int partition, List<Integer> replicas) {
        return new PartitionState(partition, replicas, replicas.isEmpty() ? NO_LEADER : replicas.get(0), 0, replicas,
                NO_VERSION);
    }

    public int partition() {
        return partition;
    }

    /** Broker ids assigned to this partition, preferred leader first. */
    public List<Integer> replicas() {
        return replicas;
    }

    /** Broker id of the leader, or {@link #NO_LEADER}. */
    public int leader() {
        return leader;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** Broker ids of the in-sync replicas. */
    public List<Integer> isr() {
        return isr;
    }

    /** ZooKeeper version of the state node this was read from, or {@link #NO_VERSION}. */
    public int version() {
        return version;
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    public PartitionState withLeader(int newLeader, int newLeaderEpoch) {
        return new PartitionState(partition, replicas, newLeader, newLeaderEpoch, isr, version);
    }

    public PartitionState withIsr(List<Integer> newIsr) {
        return new PartitionState(partition, replicas, leader, leaderEpoch, newIsr, version);
    }

    public PartitionState withVersion(int newVersion) {
        return new PartitionState(partition, replicas, leader, leaderEpoch, isr, newVersion);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionState that && partition == that.partition && leader == that.leader
                && leaderEpoch == that.leaderEpoch && version == that.version && replicas.equals(that.replicas)
                && isr.equals(that.isr);
    }

    @Override
    public int hashCode() {
        return Objects.hash(partition, replicas, leader, leaderEpoch, isr, version);
    }

    @Override
    public String toString() {
        return "PartitionState{partition=" + partition + ", replicas=" + replicas + ", leader=" + leader
                + ", leaderEpoch=" + leaderEpoch + ", isr=" + isr + ", version=" + version + "}";
    }
}
