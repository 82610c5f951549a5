package io.sluice.client.internals;

import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRebalanceListener;
import io.sluice.client.OffsetCommitCallback;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The group side of a consumer: the subscription, re-joining when the membership asks for it (revoke with a
 * commit, join, assign, seek to the committed offsets, tell the listener), auto-commit, and explicit commits.
 * Used from the consumer's thread only (not thread-safe); the membership's heartbeat thread only raises flags.
 */
final class GroupSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(GroupSubscription.class);

    /** What this class needs of the consumer. */
    interface Assignment {
        Set<TopicPartition> assignment();

        void assign(Collection<TopicPartition> partitions);

        /** Positions of the assigned partitions that have one. */
        Map<TopicPartition, Long> positions();

        void seek(TopicPartition partition, long offset);
    }

    private final String clientId;
    private final String groupId;
    private final GroupMembership membership;
    private final OffsetCommitter committer;
    private final Assignment consumer;
    private final boolean autoCommit;
    private final long autoCommitIntervalNs;
    private final long defaultApiTimeoutNs;
    private long nextAutoCommitNs;
    private List<String> topics = List.of();
    private ConsumerRebalanceListener listener = ConsumerRebalanceListener.NOOP;

    GroupSubscription(ConsumerConfig config, String clientId, GroupCoordinatorClient coordinator, Runnable wakeup,
                      Assignment consumer) {
        this.clientId = clientId;
        this.groupId = config.groupId();
        this.membership = new GroupMembership(coordinator, config, clientId, wakeup);
        this.committer = new OffsetCommitter(coordinator, membership, config.requestTimeoutMs());
        this.consumer = consumer;
        this.autoCommit = config.enableAutoCommit();
        this.autoCommitIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
        this.defaultApiTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.defaultApiTimeoutMs());
    }

    List<String> topics() {
        return topics;
    }

    boolean isSubscribed() {
        return !topics.isEmpty();
    }

    void subscribe(Collection<String> newTopics, ConsumerRebalanceListener rebalanceListener) {
        Objects.requireNonNull(newTopics, "topics");
        if (newTopics.isEmpty()) {
            unsubscribe();
            return;
        }
        if (topics.isEmpty() && !consumer.assignment().isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "this consumer was assigned "
                    + consumer.assignment() + " by hand; assign an empty list before subscribing");
        }
        for (String t : newTopics) {
            Objects.requireNonNull(t, "topic");
        }
        List<String> sorted = new ArrayList<>(new TreeSet<>(newTopics));
        this.listener = rebalanceListener == null ? ConsumerRebalanceListener.NOOP : rebalanceListener;
        if (!sorted.equals(topics)) {
            topics = List.copyOf(sorted);
            membership.requestRejoin();
        }
    }

    void unsubscribe() {
        if (topics.isEmpty()) {
            return;
        }
        revokeAll();
        topics = List.of();
        membership.leave();
    }

    /** At the start of a poll: runs finished commit callbacks and restarts the max poll interval. */
    void onPoll(long nowNs) {
        committer.runCallbacks();
        membership.onPoll(nowNs);
    }

    /** Re-joins if the group asked for it and auto-commits when due; returns true if it re-joined. */
    boolean maybeRejoinAndCommit(long nowNs) {
        if (topics.isEmpty()) {
            return false;
        }
        boolean rejoined = false;
        if (membership.rejoinNeeded()) {
            rebalance();
            rejoined = true;
            nowNs = System.nanoTime();
        }
        if (autoCommit && nowNs - nextAutoCommitNs >= 0) {
            nextAutoCommitNs = nowNs + autoCommitIntervalNs;
            committer.commitAsync(consumer.positions(), (offsets, error) -> {
                if (error != null) {
                    LOG.debug("{}: auto-commit failed: {}", clientId, error.toString());
                }
            });
        }
        return rejoined;
    }

    /** Commits (with auto-commit) and tells the listener before the partitions go; then drops them. */
    private void revokeAll() {
        Set<TopicPartition> old = consumer.assignment();
        if (old.isEmpty()) {
            return;
        }
        if (autoCommit) {
            try {
                commitSync(consumer.positions());
            } catch (SluiceException e) {
                LOG.warn("{}: committing before the rebalance failed ({}); records after the last commit will be "
                        + "read again by the partitions' next owner", clientId, e.getMessage());
            }
        }
        listener.onPartitionsRevoked(old);
        consumer.assign(List.of());
    }

    private void rebalance() {
        revokeAll();
        long deadlineNs = System.nanoTime() + defaultApiTimeoutNs;
        List<TopicPartition> assigned = membership.join(topics, deadlineNs);
        consumer.assign(assigned);
        if (!assigned.isEmpty()) {
            committer.committed(assigned, deadlineNs).forEach(consumer::seek);
        }
        nextAutoCommitNs = System.nanoTime() + autoCommitIntervalNs;
        listener.onPartitionsAssigned(assigned);
    }

    void commitSync(Map<TopicPartition, Long> offsets) {
        if (!topics.isEmpty() && membership.generation() < 0) {
            membership.requestRejoin();
            throw new SluiceException(ErrorCode.ILLEGAL_GENERATION, "commit refused: this consumer is not a member of"
                    + " group " + groupId + " now (it left, e.g. after max.poll.interval.ms without a poll, or a"
                    + " rebalance is pending); its partitions may belong to another member. The next poll re-joins.");
        }
        try {
            committer.commitSync(offsets, System.nanoTime() + defaultApiTimeoutNs);
        } catch (SluiceException e) {
            if (e.code() == ErrorCode.ILLEGAL_GENERATION || e.code() == ErrorCode.UNKNOWN_MEMBER) {
                membership.requestRejoin();
            }
            throw e;
        }
    }

    void commitAsync(Map<TopicPartition, Long> offsets, OffsetCommitCallback callback) {
        committer.commitAsync(offsets, callback);
    }

    Map<TopicPartition, Long> committed(Set<TopicPartition> partitions) {
        return committer.committed(partitions, System.nanoTime() + defaultApiTimeoutNs);
    }

    /** Commits (with auto-commit) and leaves the group at once (a static member stays until its session ends). */
    void close() {
        try {
            if (!topics.isEmpty() && autoCommit && membership.generation() >= 0) {
                committer.commitSync(consumer.positions(), System.nanoTime() + defaultApiTimeoutNs);
            }
            committer.runCallbacks();
        } catch (RuntimeException e) {
            LOG.warn("{}: committing on close failed: {}", clientId, e.getMessage());
        }
        if (!membership.isStatic()) {
            membership.leave();
        }
        membership.close();
    }
}
