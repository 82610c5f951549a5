package io.sluice.client.internals;

import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRebalanceListener;
import io.sluice.client.ConsumerRecords;
import io.sluice.client.Deserializer;
import io.sluice.client.OffsetAndTimestamp;
import io.sluice.client.OffsetCommitCallback;
import io.sluice.client.PartitionInfo;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ListOffsetsRequest;
import io.sluice.remoting.protocol.ListOffsetsResponse;
import io.sluice.remoting.transport.RemotingClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link Consumer} implementation: keeps the assignment and positions, drives the {@link Fetcher} from
 * {@link #poll}, and answers offset queries through {@link OffsetLookup}. Not thread-safe (one thread at a time).
 */
public final class SluiceConsumer<K, V> implements Consumer<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceConsumer.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String clientId;
    private final int maxPollRecords;
    private final long defaultApiTimeoutNs;
    private final RemotingClient client;
    private final RouteCache routes;
    private final OffsetLookup offsets;
    private final Fetcher<K, V> fetcher;
    private final Map<TopicPartition, PartitionFetchState> assigned = new LinkedHashMap<>();
    private List<PartitionFetchState> states = List.of();
    private final String groupId;
    private final GroupCoordinatorClient coordinator;
    private final GroupMembership membership;
    private final OffsetCommitter committer;
    private final boolean autoCommit;
    private final long autoCommitIntervalNs;
    private long nextAutoCommitNs;
    private List<String> subscription = List.of();
    private ConsumerRebalanceListener listener = ConsumerRebalanceListener.NOOP;
    private boolean closed;

    public SluiceConsumer(ConsumerConfig config, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        config.conclude();
        Objects.requireNonNull(keyDeserializer, "keyDeserializer");
        Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        this.clientId = config.clientId() != null ? config.clientId() : "consumer-" + IDS.incrementAndGet();
        this.maxPollRecords = config.maxPollRecords();
        this.defaultApiTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.defaultApiTimeoutMs());
        Backoff backoff = new Backoff(config.retryBackoffMs(), config.retryBackoffMaxMs());
        this.client = new RemotingClient(clientId, config.transport(), config.meterRegistry());
        try {
            NameserverClient nameservers = new NameserverClient(client,
                    ConfigSupport.parseAddresses(ConsumerConfig.NAMESERVERS, config.nameservers()));
            this.routes = new RouteCache(nameservers, config.requestTimeoutMs(), backoff, config.metadataMaxAgeMs());
            this.offsets = new OffsetLookup(client, routes, config.requestTimeoutMs(), backoff);
            this.fetcher = new Fetcher<>(config, client, routes, offsets, backoff,
                    new CompletedFetch.RecordDecoder<>(keyDeserializer, valueDeserializer),
                    new ConsumerMetrics(config.meterRegistry(), clientId));
            routes.addListener(fetcher::wakeup);
            this.groupId = config.groupId();
            this.autoCommit = config.enableAutoCommit() && groupId != null;
            this.autoCommitIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
            if (groupId != null) {
                this.coordinator = new GroupCoordinatorClient(client, nameservers, routes, groupId,
                        config.requestTimeoutMs(), backoff);
                this.membership = new GroupMembership(coordinator, config, clientId, fetcher::wakeup);
                this.committer = new OffsetCommitter(coordinator, membership, config.requestTimeoutMs());
            } else {
                this.coordinator = null;
                this.membership = null;
                this.committer = null;
            }
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    @Override
    public void assign(Collection<TopicPartition> partitions) {
        checkOpen();
        if (!subscription.isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "this consumer subscribed to " + subscription
                    + "; its group assigns the partitions (unsubscribe first to assign by hand)");
        }
        assignPartitions(partitions);
    }

    private void assignPartitions(Collection<TopicPartition> partitions) {
        Set<TopicPartition> wanted = new LinkedHashSet<>(partitions);
        for (Map.Entry<TopicPartition, PartitionFetchState> e : assigned.entrySet()) {
            if (!wanted.contains(e.getKey())) {
                e.getValue().assigned = false;
                e.getValue().clearBuffered();
            }
        }
        assigned.keySet().retainAll(wanted);
        for (TopicPartition tp : wanted) {
            Objects.requireNonNull(tp, "partition");
            if (!assigned.containsKey(tp)) {
                assigned.put(tp, new PartitionFetchState(tp));
                routes.addTopic(tp.topic());
            }
        }
        states = List.copyOf(assigned.values());
    }

    @Override
    public Set<TopicPartition> assignment() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(assigned.keySet()));
    }

    private PartitionFetchState state(TopicPartition tp) {
        PartitionFetchState s = assigned.get(tp);
        if (s == null) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, tp + " is not assigned to this consumer; "
                    + "assign it first (assigned: " + assigned.keySet() + ")");
        }
        return s;
    }

    @Override
    public void pause(Collection<TopicPartition> partitions) {
        checkOpen();
        for (TopicPartition tp : partitions) {
            state(tp).paused = true;
        }
    }

    @Override
    public void resume(Collection<TopicPartition> partitions) {
        checkOpen();
        for (TopicPartition tp : partitions) {
            state(tp).paused = false;
        }
        fetcher.wakeup();
    }

    @Override
    public Set<TopicPartition> paused() {
        Set<TopicPartition> out = new LinkedHashSet<>();
        for (PartitionFetchState s : assigned.values()) {
            if (s.paused) {
                out.add(s.tp);
            }
        }
        return out;
    }

    @Override
    public void seek(TopicPartition partition, long offset) {
        checkOpen();
        if (offset < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "cannot seek " + partition + " to negative offset "
                    + offset);
        }
        state(partition).seek(offset);
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        checkOpen();
        for (TopicPartition tp : partitions) {
            state(tp).requestReset(ListOffsetsRequest.EARLIEST);
        }
    }

    @Override
    public void seekToEnd(Collection<TopicPartition> partitions) {
        checkOpen();
        for (TopicPartition tp : partitions) {
            state(tp).requestReset(ListOffsetsRequest.LATEST);
        }
    }

    @Override
    public long position(TopicPartition partition) {
        checkOpen();
        PartitionFetchState s = state(partition);
        long deadlineNs = System.nanoTime() + defaultApiTimeoutNs;
        List<PartitionFetchState> one = List.of(s);
        while (!s.hasPosition()) {
            long now = System.nanoTime();
            fetcher.processEvents(now);
            fetcher.initPositions(one);
            SluiceException error = fetcher.takeError(one);
            if (error != null) {
                throw error;
            }
            if (s.hasPosition()) {
                break;
            }
            if (deadlineNs - now <= 0 || Thread.currentThread().isInterrupted()) {
                throw new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "position of " + partition
                        + " not found within default.api.timeout.ms" + (Thread.currentThread().isInterrupted()
                        ? " (interrupted)" : ""));
            }
            routes.maybeRefresh(now);
            fetcher.sendResets(one, now);
            fetcher.await(Math.min(deadlineNs - now, Math.min(fetcher.nanosUntilBackoffEnds(one, now),
                    Math.max(routes.nanosUntilDue(now), TimeUnit.MILLISECONDS.toNanos(1)))));
        }
        return s.position;
    }

    @Override
    public Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
        checkOpen();
        for (Map.Entry<TopicPartition, Long> e : timestamps.entrySet()) {
            if (e.getValue() == null || e.getValue() < 0) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "timestamp for " + e.getKey()
                        + " must be >= 0, not " + e.getValue());
            }
        }
        Map<TopicPartition, ListOffsetsResponse> found = offsets.lookup(timestamps,
                System.nanoTime() + defaultApiTimeoutNs);
        Map<TopicPartition, OffsetAndTimestamp> result = new HashMap<>();
        for (TopicPartition tp : timestamps.keySet()) {
            ListOffsetsResponse r = found.get(tp);
            result.put(tp, r == null || r.timestamp < 0 ? null : new OffsetAndTimestamp(r.offset, r.timestamp));
        }
        return result;
    }

    @Override
    public Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions) {
        return listOffsets(partitions, ListOffsetsRequest.EARLIEST);
    }

    @Override
    public Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
        return listOffsets(partitions, ListOffsetsRequest.LATEST);
    }

    private Map<TopicPartition, Long> listOffsets(Collection<TopicPartition> partitions, long which) {
        checkOpen();
        Map<TopicPartition, Long> query = new HashMap<>();
        for (TopicPartition tp : partitions) {
            query.put(tp, which);
        }
        Map<TopicPartition, Long> result = new HashMap<>();
        offsets.lookup(query, System.nanoTime() + defaultApiTimeoutNs).forEach((tp, r) -> result.put(tp, r.offset));
        return result;
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        checkOpen();
        return routes.awaitTopic(topic, System.nanoTime() + defaultApiTimeoutNs, false).partitionInfos();
    }

    @Override
    public ConsumerRecords<K, V> poll(Duration timeout) {
        checkOpen();
        long now = System.nanoTime();
        long deadlineNs = now + Math.max(0, timeout.toNanos());
        if (membership != null) {
            committer.runCallbacks();
            membership.onPoll(now);
        }
        while (true) {
            if (membership != null && !subscription.isEmpty()) {
                if (membership.rejoinNeeded()) {
                    rebalance();
                    now = System.nanoTime();
                }
                maybeAutoCommit(now);
            }
            fetcher.processEvents(now);
            SluiceException error = fetcher.takeError(states);
            if (error != null) {
                throw error;
            }
            routes.maybeRefresh(now);
            fetcher.initPositions(states);
            fetcher.sendResets(states, now);
            ConsumerRecords<K, V> records = fetcher.collect(states, maxPollRecords);
            fetcher.sendFetches(states, now);
            if (!records.isEmpty()) {
                return records;
            }
            long left = deadlineNs - now;
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return records;
            }
            long waitNs = Math.min(left, Math.min(fetcher.nanosUntilBackoffEnds(states, now),
                    Math.max(routes.nanosUntilDue(now), TimeUnit.MILLISECONDS.toNanos(1))));
            fetcher.await(waitNs);
            now = System.nanoTime();
        }
    }

    // ---- groups ----

    private GroupMembership requireGroup(String what) {
        if (membership == null) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, what + " needs a group: set "
                    + ConsumerConfig.GROUP_ID);
        }
        return membership;
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener rebalanceListener) {
        checkOpen();
        requireGroup("subscribe");
        Objects.requireNonNull(topics, "topics");
        if (topics.isEmpty()) {
            unsubscribe();
            return;
        }
        if (subscription.isEmpty() && !assigned.isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "this consumer was assigned " + assigned.keySet()
                    + " by hand; assign an empty list before subscribing");
        }
        List<String> sorted = new ArrayList<>(new TreeSet<>(topics));
        for (String t : sorted) {
            Objects.requireNonNull(t, "topic");
        }
        this.listener = rebalanceListener == null ? ConsumerRebalanceListener.NOOP : rebalanceListener;
        if (!sorted.equals(subscription)) {
            subscription = List.copyOf(sorted);
            routes.addTopics(subscription);
            membership.requestRejoin();
        }
    }

    @Override
    public void unsubscribe() {
        checkOpen();
        if (subscription.isEmpty()) {
            return;
        }
        revokeAll();
        subscription = List.of();
        membership.leave();
    }

    @Override
    public Set<String> subscription() {
        return new LinkedHashSet<>(subscription);
    }

    /** Commits (with auto-commit) and tells the listener before the partitions go; then drops them. */
    private void revokeAll() {
        Set<TopicPartition> old = assignment();
        if (old.isEmpty()) {
            return;
        }
        if (autoCommit) {
            try {
                commitSync(positions());
            } catch (SluiceException e) {
                LOG.warn("{}: committing before the rebalance failed ({}); records after the last commit will be "
                        + "read again by the partitions' next owner", clientId, e.getMessage());
            }
        }
        listener.onPartitionsRevoked(old);
        assignPartitions(List.of());
    }

    private void rebalance() {
        revokeAll();
        long deadlineNs = System.nanoTime() + defaultApiTimeoutNs;
        List<TopicPartition> assignedNow = membership.join(subscription, deadlineNs);
        assignPartitions(assignedNow);
        if (!assignedNow.isEmpty()) {
            committer.committed(assignedNow, deadlineNs).forEach((tp, offset) -> assigned.get(tp).seek(offset));
        }
        nextAutoCommitNs = System.nanoTime() + autoCommitIntervalNs;
        listener.onPartitionsAssigned(assignedNow);
    }

    private void maybeAutoCommit(long nowNs) {
        if (!autoCommit || nowNs - nextAutoCommitNs < 0) {
            return;
        }
        nextAutoCommitNs = nowNs + autoCommitIntervalNs;
        committer.commitAsync(positions(), (offsets, error) -> {
            if (error != null) {
                LOG.debug("{}: auto-commit failed: {}", clientId, error.toString());
            }
        });
    }

    /** The positions of the assigned partitions that have one. */
    private Map<TopicPartition, Long> positions() {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (PartitionFetchState s : assigned.values()) {
            if (s.hasPosition()) {
                out.put(s.tp, s.position);
            }
        }
        return out;
    }

    @Override
    public void commitSync() {
        commitSync(positions());
    }

    @Override
    public void commitSync(Map<TopicPartition, Long> offsets) {
        checkOpen();
        requireGroup("commitSync");
        if (!subscription.isEmpty() && membership.generation() < 0) {
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

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
        checkOpen();
        requireGroup("commitAsync");
        committer.commitAsync(positions(), callback);
    }

    @Override
    public Map<TopicPartition, Long> committed(Set<TopicPartition> partitions) {
        checkOpen();
        requireGroup("committed");
        return committer.committed(partitions, System.nanoTime() + defaultApiTimeoutNs);
    }

    private void checkOpen() {
        if (closed) {
            throw new SluiceException(ErrorCode.CLIENT_CLOSED, "consumer " + clientId + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (membership != null) {
            try {
                if (!subscription.isEmpty() && autoCommit && membership.generation() >= 0) {
                    committer.commitSync(positions(), System.nanoTime() + defaultApiTimeoutNs);
                }
                committer.runCallbacks();
            } catch (RuntimeException e) {
                LOG.warn("{}: committing on close failed: {}", clientId, e.getMessage());
            }
            membership.leave();
            membership.close();
        }
        closed = true;
        for (PartitionFetchState s : assigned.values()) {
            s.assigned = false;
            s.clearBuffered();
        }
        fetcher.close();
        routes.close();
        try {
            client.close();
        } finally {
            fetcher.close();
        }
    }
}
