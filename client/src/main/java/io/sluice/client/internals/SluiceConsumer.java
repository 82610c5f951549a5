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
import io.sluice.remoting.transport.RemotingClient;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The {@link Consumer} implementation: keeps the assignment and positions, drives the {@link Fetcher} from
 * {@link #poll}, and answers offset queries through {@link OffsetLookup}; with a {@code group.id}, a
 * {@link GroupSubscription} handles membership and commits. Not thread-safe (one thread at a time).
 */
public final class SluiceConsumer<K, V> implements Consumer<K, V> {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String clientId;
    private final int maxPollRecords;
    private final long defaultApiTimeoutNs;
    private final RemotingClient client;
    private final RouteCache routes;
    private final OffsetLookup offsets;
    private final Fetcher<K, V> fetcher;
    private final ConsumerMetrics metrics;
    private final Map<TopicPartition, PartitionFetchState> assigned = new LinkedHashMap<>();
    private List<PartitionFetchState> states = List.of();
    /** The group side (subscription, commits), or null without a group.id. */
    private final GroupSubscription group;
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
            this.metrics = new ConsumerMetrics(config.meterRegistry(), clientId, config.groupId());
            this.fetcher = new Fetcher<>(config, client, routes, offsets, backoff,
                    new CompletedFetch.RecordDecoder<>(keyDeserializer, valueDeserializer), metrics);
            routes.addListener(fetcher::wakeup);
            this.group = config.groupId() == null ? null : new GroupSubscription(config, clientId,
                    new GroupCoordinatorClient(client, nameservers, routes, config.broadcast()
                            ? GroupSubscription.broadcastOffsetsKey(config) : config.groupId(),
                            config.requestTimeoutMs(), backoff), routes,
                    new TopicPatternWatcher(nameservers, config.requestTimeoutMs(), config.metadataMaxAgeMs(),
                            fetcher::wakeup), fetcher::wakeup, new GroupSubscription.Assignment() {
                        @Override
                        public Set<TopicPartition> assignment() {
                            return SluiceConsumer.this.assignment();
                        }

                        @Override
                        public void assign(Collection<TopicPartition> partitions) {
                            assignPartitions(partitions);
                        }

                        @Override
                        public Map<TopicPartition, Long> positions() {
                            return SluiceConsumer.this.positions();
                        }

                        @Override
                        public void seek(TopicPartition partition, long offset) {
                            state(partition).seek(offset);
                        }
                    });
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    @Override
    public void assign(Collection<TopicPartition> partitions) {
        checkOpen();
        if (group != null && group.isSubscribed()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "this consumer subscribed to " + group.topics()
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
                metrics.unassigned(e.getKey());
            }
        }
        assigned.keySet().retainAll(wanted);
        for (TopicPartition tp : wanted) {
            Objects.requireNonNull(tp, "partition");
            if (!assigned.containsKey(tp)) {
                PartitionFetchState state = new PartitionFetchState(tp);
                assigned.put(tp, state);
                metrics.assigned(state);
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
        Map<TopicPartition, OffsetLookup.Found> found = offsets.lookup(timestamps,
                System.nanoTime() + defaultApiTimeoutNs);
        Map<TopicPartition, OffsetAndTimestamp> result = new HashMap<>();
        for (TopicPartition tp : timestamps.keySet()) {
            OffsetLookup.Found r = found.get(tp);
            result.put(tp, r == null || r.timestamp() < 0 ? null : new OffsetAndTimestamp(r.offset(), r.timestamp()));
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
        offsets.lookup(query, System.nanoTime() + defaultApiTimeoutNs).forEach((tp, r) -> result.put(tp, r.offset()));
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
        if (group != null) {
            group.onPoll(now);
        }
        while (true) {
            if (group != null && group.maybeRejoinAndCommit(now)) {
                now = System.nanoTime();
            }
            fetcher.processEvents(now);
            SluiceException error = fetcher.takeError(states);
            if (error != null) {
                throw error;
            }
            routes.maybeRefresh(now);
            fetcher.initPositions(states);
            fetcher.sendResets(states, now);
            // fetch before decoding what arrived, so the broker reads the next answer while this thread decodes
            fetcher.sendFetches(states, now);
            ConsumerRecords<K, V> records = fetcher.collect(states, maxPollRecords);
            if (fetcher.releasedSinceSend()) {
                fetcher.sendFetches(states, now);   // what collect released makes room for more
            }
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

    // ---- groups (see GroupSubscription) ----

    private GroupSubscription requireGroup(String what) {
        if (group == null) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, what + " needs a group: set "
                    + ConsumerConfig.GROUP_ID);
        }
        return group;
    }

    @Override
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener rebalanceListener) {
        checkOpen();
        requireGroup("subscribe").subscribe(topics, rebalanceListener);
        routes.addTopics(group.topics());
    }

    @Override
    public void subscribe(Pattern pattern, ConsumerRebalanceListener rebalanceListener) {
        checkOpen();
        requireGroup("subscribe").subscribe(pattern, rebalanceListener);
    }

    @Override
    public void unsubscribe() {
        checkOpen();
        if (group != null) {
            group.unsubscribe();
        }
    }

    @Override
    public Set<String> subscription() {
        return group == null ? Set.of() : new LinkedHashSet<>(group.topics());
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
        requireGroup("commitSync").commitSync(offsets);
    }

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
        checkOpen();
        requireGroup("commitAsync").commitAsync(positions(), callback);
    }

    @Override
    public Map<TopicPartition, Long> committed(Set<TopicPartition> partitions) {
        checkOpen();
        return requireGroup("committed").committed(partitions);
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
        if (group != null) {
            group.close();
        }
        closed = true;
        for (PartitionFetchState s : assigned.values()) {
            s.assigned = false;
            s.clearBuffered();
            metrics.unassigned(s.tp);
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
