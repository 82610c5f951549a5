package io.sluice.client.internals;

import io.sluice.client.OffsetCommitCallback;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.CommittedOffset;
import io.sluice.remoting.protocol.OffsetCommitRequest;
import io.sluice.remoting.protocol.OffsetFetchRequest;
import io.sluice.remoting.protocol.OffsetFetchResponse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Commits and fetches a group's offsets at its coordinator. A commit carries this member's id and generation
 * when it is in the group (the coordinator refuses a stale generation with ILLEGAL_GENERATION), else none (accepted
 * only while the group has no members). {@link #commitAsync} callbacks are queued and run by
 * {@link #runCallbacks()} on the application's thread (from poll, commitSync and close). Thread-safe.
 */
final class OffsetCommitter {
    private final GroupCoordinatorClient coordinator;
    private final GroupMembership membership;
    private final long requestTimeoutMs;
    private final ConsumerGroupMetrics metrics;
    private final ConcurrentLinkedQueue<Runnable> completed = new ConcurrentLinkedQueue<>();

    /** {@code membership} is null for a consumer that assigns its partitions itself. */
    OffsetCommitter(GroupCoordinatorClient coordinator, GroupMembership membership, long requestTimeoutMs) {
        this(coordinator, membership, requestTimeoutMs, ConsumerGroupMetrics.NONE);
    }

    OffsetCommitter(GroupCoordinatorClient coordinator, GroupMembership membership, long requestTimeoutMs,
                    ConsumerGroupMetrics metrics) {
        this.coordinator = coordinator;
        this.membership = membership;
        this.requestTimeoutMs = requestTimeoutMs;
        this.metrics = metrics;
    }

    private OffsetCommitRequest request(Map<TopicPartition, Long> offsets) {
        OffsetCommitRequest request = new OffsetCommitRequest();
        request.groupId = coordinator.groupId();
        boolean member = membership != null && membership.generation() >= 0 && !membership.memberId().isEmpty();
        request.memberId = member ? membership.memberId() : "";
        request.generation = member ? membership.generation() : -1;
        request.offsets = new ArrayList<>(offsets.size());
        offsets.forEach((tp, offset) -> {
            if (offset == null || offset < 0) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "cannot commit offset " + offset + " for " + tp);
            }
            CommittedOffset o = new CommittedOffset();
            o.topic = tp.topic();
            o.partition = tp.partition();
            o.offset = offset;
            request.offsets.add(o);
        });
        return request;
    }

    void commitSync(Map<TopicPartition, Long> offsets, long deadlineNs) {
        runCallbacks();
        if (offsets.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        try {
            coordinator.call(ApiKey.OFFSET_COMMIT, request(offsets), requestTimeoutMs, deadlineNs);
        } catch (RuntimeException e) {
            metrics.commitFailed();
            throw e;
        }
        metrics.committed(System.nanoTime() - start);
    }

    void commitAsync(Map<TopicPartition, Long> offsets, OffsetCommitCallback callback) {
        Map<TopicPartition, Long> copy = Map.copyOf(offsets);
        if (copy.isEmpty()) {
            if (callback != null) {
                completed.add(() -> callback.onComplete(copy, null));
            }
            return;
        }
        long start = System.nanoTime();
        coordinator.send(ApiKey.OFFSET_COMMIT, request(copy), requestTimeoutMs).whenComplete((response, error) -> {
            if (response != null) {
                response.close();
            }
            if (error == null) {
                metrics.committed(System.nanoTime() - start);
            } else {
                metrics.commitFailed();
            }
            if (callback != null) {
                Exception e = error == null ? null : SluiceException.from(error);
                completed.add(() -> callback.onComplete(copy, e));
            }
        });
    }

    /** Runs the callbacks of finished async commits, in completion order. */
    void runCallbacks() {
        Runnable r;
        while ((r = completed.poll()) != null) {
            r.run();
        }
    }

    /** The committed offsets of {@code partitions}; partitions with none are absent. */
    Map<TopicPartition, Long> committed(Collection<TopicPartition> partitions, long deadlineNs) {
        Set<String> topics = new HashSet<>();
        for (TopicPartition tp : partitions) {
            topics.add(tp.topic());
        }
        Set<TopicPartition> wanted = new HashSet<>(partitions);
        Map<TopicPartition, Long> out = fetch(new ArrayList<>(topics), deadlineNs);
        out.keySet().retainAll(wanted);
        return out;
    }

    /** Every committed offset of the group. */
    Map<TopicPartition, Long> committedAll(long deadlineNs) {
        return fetch(new ArrayList<>(), deadlineNs);
    }

    private Map<TopicPartition, Long> fetch(java.util.List<String> topics, long deadlineNs) {
        OffsetFetchRequest request = new OffsetFetchRequest();
        request.groupId = coordinator.groupId();
        request.topics = topics;
        OffsetFetchResponse response = coordinator.call(ApiKey.OFFSET_FETCH, request, requestTimeoutMs, deadlineNs);
        Map<TopicPartition, Long> out = new HashMap<>();
        if (response.offsets != null) {
            for (CommittedOffset o : response.offsets) {
                out.put(new TopicPartition(o.topic, o.partition), o.offset);
            }
        }
        return out;
    }
}
