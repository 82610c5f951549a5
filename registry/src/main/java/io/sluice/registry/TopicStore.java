package io.sluice.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Topic metadata in the registry. {@code /topics/<t>} holds the name, partition count, replication factor, configs
 * and replica assignment; {@code /topics/<t>/states/<c>} holds the leader, leader epoch, in-sync replicas and version
 * of a chunk of partitions, each partition updated by compare-and-set on its own version (topics created before
 * chunks keep one {@code /topics/<t>/partitions/<p>/state} node per partition, read and written the same way).
 * Creation and deletion are single ZooKeeper transactions, so a half-created or half-deleted topic is never visible.
 *
 * <p>Thread-safe. Listener calls run on the registry's notification thread, one at a time.
 */
public interface TopicStore {
    /** Most partitions one topic may have (a topic is created in one ZooKeeper transaction of bounded size). */
    int MAX_PARTITIONS = 10_000;

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

    /**
     * Compare-and-set of many partitions of {@code topic} at once, with the semantics of
     * {@link #compareAndSetPartitionState} for each: every update is the state to write and its
     * {@link PartitionState#version()} the version it expects. Written in few ZooKeeper operations (the partitions
     * of one stored chunk in one write, many chunks per transaction), so that failing over or shrinking the in-sync
     * sets of thousands of partitions is not thousands of round trips one behind the other. {@code fence} (may be
     * null) is checked in every transaction, as above. Returns the partitions written; any other lost its race
     * (re-read it). UNKNOWN_TOPIC / UNKNOWN_PARTITION if absent; INVALID_REQUEST if a partition appears twice.
     */
    java.util.Set<Integer> compareAndSetPartitionStates(String topic, List<PartitionState> updates,
            LeaderElection fence);
}
