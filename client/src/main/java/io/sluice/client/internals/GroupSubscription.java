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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The group side of a consumer: the subscription (topics, or a pattern re-matched as topics appear), who decides the
 * assignment, auto-commit and explicit commits. Three ways to get partitions:
 * <ul>
 *   <li>eager group member (range, roundrobin): revoke everything with a commit, join (blocking), assign, seek to
 *       the committed offsets, tell the listener;</li>
 *   <li>cooperative group member (cooperative-sticky): join on the joiner thread while the poll thread keeps
 *       fetching the owned partitions; when the answer comes, revoke (commit, listener) only the partitions that
 *       move, add the new ones, and re-join at once if anything was revoked so the coordinator can hand it over;</li>
 *   <li>broadcast ({@code broadcast=true}): no membership; this consumer reads every partition of the subscribed
 *       topics and commits under its own key (see {@link #broadcastOffsetsKey}).</li>
 * </ul>
 * Used from the consumer's thread only (not thread-safe); the membership's threads only raise flags.
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
    /** The membership, or null in broadcast mode. */
    private final GroupMembership membership;
    private final OffsetCommitter committer;
    private final ConsumerGroupMetrics metrics;
    /** When the running re-join started (for the rebalance latency). */
    private long rebalanceStartNs;
    private final Assignment consumer;
    private final RouteCache routes;
    private final TopicPatternWatcher topicWatcher;
    private final boolean autoCommit;
    private final long autoCommitIntervalNs;
    private final long defaultApiTimeoutNs;
    private long nextAutoCommitNs;
    private List<String> topics = List.of();
    private Pattern pattern;
    /** The last match of the pattern acted on (the watcher returns the same instance until it changes). */
    private Set<String> lastMatched;
    private ConsumerRebalanceListener listener = ConsumerRebalanceListener.NOOP;
    /** A cooperative join running on the joiner thread, or null. */
    private CompletableFuture<List<TopicPartition>> pendingJoin;

    GroupSubscription(ConsumerConfig config, String clientId, GroupCoordinatorClient coordinator, RouteCache routes,
                      TopicPatternWatcher topicWatcher, Runnable wakeup, Assignment consumer) {
        this.clientId = clientId;
        this.groupId = config.groupId();
        this.membership = config.broadcast() ? null : new GroupMembership(coordinator, config, clientId, wakeup);
        this.metrics = new ConsumerGroupMetrics(config.meterRegistry(), clientId, config.groupId());
        this.committer = new OffsetCommitter(coordinator, membership, config.requestTimeoutMs(), metrics);
        this.consumer = consumer;
        this.routes = routes;
        this.topicWatcher = topicWatcher;
        this.autoCommit = config.enableAutoCommit();
        this.autoCommitIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
        this.defaultApiTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.defaultApiTimeoutMs());
    }

    /**
     * The key under which a broadcast consumer commits: {@code <group.id>@<group.instance.id>}. Each member of a
     * broadcast group reads every partition, so each needs positions of its own. They are committed to the group
     * coordinator like any group's offsets (a "group" without members, so commits need no generation) rather than
     * to a local file as RocketMQ does: they are replicated with the offsets topic and survive the loss of the
     * consumer's machine, a restarted instance (same instance id) resumes where it committed, the {@code group}
     * commands list, describe and reset them, and they expire with the offsets retention like other groups.
     */
    static String broadcastOffsetsKey(ConsumerConfig config) {
        return config.groupId() + "@" + config.groupInstanceId();
    }

    List<String> topics() {
        return topics;
    }

    boolean isSubscribed() {
        return !topics.isEmpty() || pattern != null;
    }

    void subscribe(Collection<String> newTopics, ConsumerRebalanceListener rebalanceListener) {
        Objects.requireNonNull(newTopics, "topics");
        if (newTopics.isEmpty()) {
            unsubscribe();
            return;
        }
        checkNotAssignedByHand();
        for (String t : newTopics) {
            Objects.requireNonNull(t, "topic");
        }
        pattern = null;
        this.listener = rebalanceListener == null ? ConsumerRebalanceListener.NOOP : rebalanceListener;
        changeTopics(new TreeSet<>(newTopics));
    }

    /** Subscribes to every topic whose whole name matches {@code topicPattern}, now and as topics are created. */
    void subscribe(Pattern topicPattern, ConsumerRebalanceListener rebalanceListener) {
        Objects.requireNonNull(topicPattern, "pattern");
        checkNotAssignedByHand();
        this.pattern = topicPattern;
        this.lastMatched = null;
        this.listener = rebalanceListener == null ? ConsumerRebalanceListener.NOOP : rebalanceListener;
        topicWatcher.requestNow();
    }

    private void checkNotAssignedByHand() {
        if (!isSubscribed() && !consumer.assignment().isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "this consumer was assigned "
                    + consumer.assignment() + " by hand; assign an empty list before subscribing");
        }
    }

    private void changeTopics(Set<String> sorted) {
        List<String> next = List.copyOf(sorted);
        if (next.equals(topics)) {
            return;
        }
        if (next.isEmpty()) {
            leaveGroup();
            topics = List.of();
            return;
        }
        topics = next;
        routes.addTopics(next);
        if (membership != null) {
            membership.requestRejoin();
        }
    }

    void unsubscribe() {
        if (!isSubscribed()) {
            return;
        }
        pattern = null;
        leaveGroup();
        topics = List.of();
    }

    private void leaveGroup() {
        if (pendingJoin != null) {
            pendingJoin.cancel(false);
            pendingJoin = null;
        }
        revokeAll(true);
        if (membership != null) {
            membership.leave();
        }
    }

    /** At the start of a poll: runs finished commit callbacks and restarts the max poll interval. */
    void onPoll(long nowNs) {
        committer.runCallbacks();
        if (membership != null) {
            membership.onPoll(nowNs);
        }
    }

    /**
     * Follows the pattern, (re-)joins or completes a cooperative join, adjusts a broadcast assignment, and
     * auto-commits when due; returns true if the assignment changed.
     */
    boolean maybeRejoinAndCommit(long nowNs) {
        if (pattern != null) {
            Set<String> matched = topicWatcher.matching(pattern, nowNs);
            if (matched != null && matched != lastMatched) {
                lastMatched = matched;
                if (!matched.equals(new TreeSet<>(topics))) {
                    LOG.info("{}: pattern {} now matches {}", clientId, pattern, matched);
                    changeTopics(matched);
                }
            }
        }
        if (topics.isEmpty()) {
            return false;
        }
        boolean changed = membership == null ? followBroadcast() : followGroup();
        if (changed) {
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
        return changed;
    }

    private boolean followGroup() {
        if (pendingJoin != null) {
            if (!pendingJoin.isDone()) {
                return false;
            }
            completeCooperativeJoin();
            return true;
        }
        if (!membership.rejoinNeeded()) {
            return false;
        }
        rebalanceStartNs = System.nanoTime();
        long deadlineNs = rebalanceStartNs + defaultApiTimeoutNs;
        if (!membership.cooperative()) {
            revokeAll(true);
            List<TopicPartition> assigned = membership.join(topics, List.of(), -1, deadlineNs);
            changeAssignment(assigned);
            metrics.rebalanced(System.nanoTime() - rebalanceStartNs);
            return true;
        }
        if (membership.memberId().isEmpty() && !consumer.assignment().isEmpty()) {
            LOG.warn("{}: no longer a member of group {} (session expired, left or coordinator moved); its "
                    + "partitions {} may belong to others now", clientId, groupId, consumer.assignment());
            revokeAll(false);
        }
        pendingJoin = membership.joinAsync(topics, consumer.assignment(), membership.generation(), deadlineNs);
        return false;
    }

    private void completeCooperativeJoin() {
        CompletableFuture<List<TopicPartition>> done = pendingJoin;
        pendingJoin = null;
        List<TopicPartition> assigned;
        try {
            assigned = done.join();
        } catch (CompletionException e) {
            throw SluiceException.from(e.getCause());
        }
        if (changeAssignment(assigned)) {
            membership.requestRejoin();
        }
        metrics.rebalanced(System.nanoTime() - rebalanceStartNs);
    }

    /** Every partition of the subscribed topics (a topic whose routes are unknown keeps what it had). */
    private boolean followBroadcast() {
        Set<TopicPartition> owned = consumer.assignment();
        Set<TopicPartition> wanted = new LinkedHashSet<>();
        for (String topic : topics) {
            TopicRoutes t = routes.topic(topic);
            if (t == null) {
                for (TopicPartition tp : owned) {
                    if (tp.topic().equals(topic)) {
                        wanted.add(tp);
                    }
                }
                continue;
            }
            for (int p = 0; p < t.partitionCount(); p++) {
                wanted.add(new TopicPartition(topic, p));
            }
        }
        if (wanted.equals(owned)) {
            return false;
        }
        changeAssignment(wanted);
        return true;
    }

    /**
     * Moves from the current assignment to {@code assigned}: commits (with auto-commit) and revokes the partitions
     * that go, keeps the others' positions, seeks the new ones to their committed offsets, then tells the listener
     * of the new ones (possibly none). Returns true if some partition was revoked.
     */
    private boolean changeAssignment(Collection<TopicPartition> assigned) {
        Set<TopicPartition> owned = consumer.assignment();
        Set<TopicPartition> revoked = new LinkedHashSet<>(owned);
        revoked.removeAll(assigned);
        List<TopicPartition> added = new ArrayList<>();
        for (TopicPartition tp : assigned) {
            if (!owned.contains(tp)) {
                added.add(tp);
            }
        }
        if (!revoked.isEmpty()) {
            revoke(revoked, true);
        }
        consumer.assign(assigned);
        long deadlineNs = System.nanoTime() + defaultApiTimeoutNs;
        if (!added.isEmpty()) {
            committer.committed(added, deadlineNs).forEach(consumer::seek);
        }
        nextAutoCommitNs = System.nanoTime() + autoCommitIntervalNs;
        listener.onPartitionsAssigned(added);
        return !revoked.isEmpty();
    }

    /** Revokes everything (committing first with auto-commit, if {@code commit}) and drops the assignment. */
    private void revokeAll(boolean commit) {
        Set<TopicPartition> old = consumer.assignment();
        if (!old.isEmpty()) {
            revoke(old, commit);
            consumer.assign(List.of());
        }
    }

    /** Commits the positions of {@code partitions} (with auto-commit and {@code commit}), then tells the listener. */
    private void revoke(Set<TopicPartition> partitions, boolean commit) {
        if (autoCommit && commit) {
            Map<TopicPartition, Long> positions = new HashMap<>(consumer.positions());
            positions.keySet().retainAll(partitions);
            try {
                commitSync(positions);
            } catch (SluiceException e) {
                LOG.warn("{}: committing {} before they move failed ({}); records after the last commit will be "
                        + "read again by their next owner", clientId, partitions, e.getMessage());
            }
        }
        listener.onPartitionsRevoked(partitions);
    }

    void commitSync(Map<TopicPartition, Long> offsets) {
        if (membership != null && !topics.isEmpty() && membership.generation() < 0) {
            membership.requestRejoin();
            throw new SluiceException(ErrorCode.ILLEGAL_GENERATION, "commit refused: this consumer is not a member of"
                    + " group " + groupId + " now (it left, e.g. after max.poll.interval.ms without a poll, or a"
                    + " rebalance is pending); its partitions may belong to another member. The next poll re-joins.");
        }
        try {
            committer.commitSync(offsets, System.nanoTime() + defaultApiTimeoutNs);
        } catch (SluiceException e) {
            if (membership != null
                    && (e.code() == ErrorCode.ILLEGAL_GENERATION || e.code() == ErrorCode.UNKNOWN_MEMBER)) {
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
            if (!topics.isEmpty() && autoCommit && (membership == null || membership.generation() >= 0)) {
                committer.commitSync(consumer.positions(), System.nanoTime() + defaultApiTimeoutNs);
            }
            committer.runCallbacks();
        } catch (RuntimeException e) {
            LOG.warn("{}: committing on close failed: {}", clientId, e.getMessage());
        }
        if (membership != null) {
            if (!membership.isStatic()) {
                membership.leave();
            }
            membership.close();
        }
    }
}
