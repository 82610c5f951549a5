package io.sluice.client;

import io.sluice.client.internals.SluiceAdmin;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Describes the cluster, manages topics (create, delete, list, describe) and consumer groups (list, describe, read and reset offsets). Talks to the nameservers for routes and topic changes and to
 * partition leaders for log offsets. Every method blocks up to {@code request.timeout.ms} and reports failures as
 * a {@link io.sluice.remoting.SluiceException} ({@code TOPIC_ALREADY_EXISTS}, {@code UNKNOWN_TOPIC},
 * {@code INVALID_TOPIC}, {@code INVALID_PARTITIONS}, {@code INVALID_REPLICATION_FACTOR}, {@code REQUEST_TIMED_OUT},
 * ...). Thread-safe.
 */
public interface Admin extends AutoCloseable {

    /** An admin client. Validates {@code config} ({@code INVALID_CONFIG} naming the key); connects lazily. */
    static Admin create(AdminConfig config) {
        return new SluiceAdmin(config);
    }

    /**
     * Creates a topic; returns once a nameserver has accepted it and serves its routes, so producers and consumers
     * see it at once. Partition leaders may still be electing: producers wait for them. Retried at the next
     * nameserver when an answer is lost; a retry that finds the topic checks that it is exactly the one asked for
     * (the result's note says so) and fails with {@code TOPIC_ALREADY_EXISTS} naming the differences otherwise.
     * Fails at once with {@code REGISTRY_UNAVAILABLE} while no nameserver can reach ZooKeeper.
     */
    TopicChange createTopic(NewTopic topic);

    /**
     * Deletes a topic and its data; {@code UNKNOWN_TOPIC} if it does not exist. Returns once routes drop it. Retried
     * like {@link #createTopic}: a retry that finds the topic gone after a lost answer reports it deleted.
     */
    TopicChange deleteTopic(String name);

    /** The names of all topics, sorted. */
    Set<String> listTopics();

    /**
     * Placement and log offsets of every partition of a topic. A leader that cannot answer yet (restarting, moving)
     * is asked again with fresh routes until the timeout; offsets stay -1 for partitions without a leader, or whose
     * leader did not answer in time. {@code UNKNOWN_TOPIC} if the topic does not exist.
     */
    TopicDescription describeTopic(String name);

    /**
     * Live brokers, the active controller and its epoch, and the under-replicated and offline partitions, as a
     * nameserver sees them (any nameserver answers; the next is tried when one cannot be reached).
     */
    ClusterDescription describeCluster();

    /**
     * The consumer groups of the cluster (each broker lists those it coordinates), sorted by id; groups with
     * committed offsets and no members are listed as {@code EMPTY}. Empty before any group was used.
     */
    List<GroupListing> listGroups();

    /** State, generation, assignor and members (with their partitions) of a group, from its coordinator. */
    GroupDescription describeGroup(String groupId);

    /** The committed offsets of a group (the next offset to read, per partition). */
    Map<TopicPartition, Long> listGroupOffsets(String groupId);

    /**
     * Sets committed offsets of a group, e.g. to reset where it resumes. Refused with {@code GROUP_NOT_EMPTY}
     * while the group has members: stop its consumers first.
     */
    void alterGroupOffsets(String groupId, Map<TopicPartition, Long> offsets);

    @Override
    void close();
}
