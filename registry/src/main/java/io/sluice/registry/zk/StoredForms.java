package io.sluice.registry.zk;

import io.protostuff.Tag;
import java.util.List;
import java.util.Map;

/**
 * The records stored in ZooKeeper nodes, encoded by {@link Codec} (a format byte, then protostuff). The {@code @Tag}s
 * are the schema: never renumber or reuse one, only add. Brokers are stored as the wire class
 * {@link io.sluice.remoting.protocol.BrokerInfo}.
 *
 * <p>Plain mutable holders; confined to the thread that encodes or decodes them.
 */
final class StoredForms {
    private StoredForms() {
    }

    /** {@code /topics/<t>}. */
    static final class TopicNode {
        @Tag(1)
        String name;
        @Tag(2)
        int partitions;
        @Tag(3)
        int replicationFactor;
        @Tag(4)
        Map<String, String> configs;
        /** replicas of partition p at index p */
        @Tag(5)
        List<Replicas> assignment;
        /** unique per creation, so a re-created topic of the same name is told apart */
        @Tag(6)
        String topicId;
        /**
         * Partition states per {@code /topics/<t>/states/<chunk>} node ({@link ZkPaths#STATES_PER_CHUNK}); 0 for a
         * topic written before chunks existed, whose states are one node per partition.
         */
        @Tag(7)
        int statesPerChunk;
    }

    /** One partition's assigned replicas, preferred leader first. */
    static final class Replicas {
        @Tag(1)
        List<Integer> brokers;
    }

    /**
     * One partition's state: the whole of {@code /topics/<t>/partitions/<p>/state} in the per-partition layout,
     * one entry of a {@link StateChunk} in the chunked one.
     */
    static final class StateNode {
        @Tag(1)
        int leader;
        @Tag(2)
        int leaderEpoch;
        @Tag(3)
        List<Integer> isr;
        /**
         * The partition's own compare-and-set version inside a chunk, bumped by each write of this partition (the
         * per-partition layout uses the node's ZooKeeper version instead and leaves this 0).
         */
        @Tag(4)
        int version;
    }

    /** {@code /topics/<t>/states/<chunk>}: the states of partitions {@code first .. first + states.size() - 1}. */
    static final class StateChunk {
        @Tag(1)
        int first;
        @Tag(2)
        List<StateNode> states;
    }

    /** {@code /services/<key>/providers/<id>}. */
    static final class ProviderNode {
        @Tag(1)
        String serviceKey;
        @Tag(2)
        String instanceId;
        @Tag(3)
        String host;
        @Tag(4)
        int port;
        @Tag(5)
        int weight;
        @Tag(6)
        String version;
        @Tag(7)
        String group;
        @Tag(8)
        long startedAtMs;
        @Tag(9)
        Map<String, String> metadata;
    }

    /** {@code /services/<key>/consumers/<id>}. */
    static final class ConsumerNode {
        @Tag(1)
        String consumerId;
        @Tag(2)
        Map<String, String> metadata;
    }

    /** {@code /<election>}: who leads and with which epoch. */
    static final class LeaderNode {
        @Tag(1)
        String participantId;
        @Tag(2)
        long epoch;
    }

    /** {@code /<election>_epoch}. */
    static final class EpochNode {
        @Tag(1)
        long epoch;
    }
}
