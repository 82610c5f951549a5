package io.sluice.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Topic metadata in the registry. {@code /topics/<t>} holds the name, partition count, replication factor, configs
 * and replica assignment; {@code /topics/<t>/partitions/<p>/state} holds each partition's leader, leader epoch and
 * in-sync replicas, updated by compare-and-set on the node's version. Creation and deletion are single ZooKeeper
 * transactions, so a half-created or half-deleted topic is never visible.
 *
 * <p>Thread-safe. Listener calls run on the registry's notification thread, one at a time.
 */
public interface TopicStore {
    /** Most partitions one topic may have (a topic is created in one ZooKeeper transaction of bounded size). */
    int MAX_PARTITIONS = 1000;

    /**
     * Creates {@code topic} with its partition states as given (their versions are ignored). Throws INVALID_TOPIC
     * for a bad name, INVALID_PARTITIONS unless 1..{@value #MAX_PARTITIONS} partitions, INVALID_REPLICATION_FACTOR
     * unless every partition has replicationFactor (>= 1) distinct non-negative replicas, INVALID_REQUEST if a
     * state's partition number or leader does not fit, TOPIC_ALREADY_EXISTS if present.
     */
    void create(TopicMetadata topic);

    /** Deletes {@code topic} and its partition states; UNKNOWN_TOPIC if absent. */
    void delete(String topic);

    /** Reads {@code topic} straight from ZooKeeper (partition versions included). */
    Optional<TopicMetadata> get(String topic);

    /** Names of all topics, sorted, straight from ZooKeeper. */
    List<String> list();

    /** All topics by name (sorted), from a local cache kept current by watches (may lag a write briefly). */
    Map<String, TopicMetadata> snapshot();

    /**
     * Calls {@code listener} with the full snapshot now and after every change (topic added or removed, partition
     * state changed); bursts of changes are merged into one call. Close the returned handle to stop.
     */
    AutoCloseable watch(Consumer<Map<String, TopicMetadata>> listener);

    /**
     * Writes {@code newState}'s leader, leader epoch and ISR for the partition if its state node is still at
     * {@code expectedVersion}; returns false (and writes nothing) if another writer got there first. Replicas are
     * part of the topic's assignment and are not changed here. UNKNOWN_TOPIC / UNKNOWN_PARTITION if absent.
     */
    boolean compareAndSetPartitionState(String topic, int partition, PartitionState newState, int expectedVersion);

    /**
     * Like {@link #compareAndSetPartitionState(String, int, PartitionState, int)}, but only while {@code fence} is
     * the current leader of its election, checked in the same ZooKeeper transaction: throws
     * STALE_CONTROLLER_EPOCH if it no longer leads (a newer epoch exists or it lost its session).
     */
    boolean compareAndSetPartitionState(String topic, int partition, PartitionState newState, int expectedVersion,
            LeaderElection fence);
}
