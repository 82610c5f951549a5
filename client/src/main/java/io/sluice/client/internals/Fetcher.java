package io.sluice.client.internals;

import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.ConsumerRecords;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.ListOffsetsRequest;
import io.sluice.remoting.protocol.ListOffsetsResponse;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The consumer's data path: sends one long-poll FETCH per assigned partition to its leader (pipelined on the
 * pooled connection), looks up positions to reset with LIST_OFFSETS, and turns answers into records.
 *
 * <p>Answers arrive on the transport's I/O thread and only go into an event queue (waking the consumer thread
 * if it waits); everything else runs on the consumer thread: applying answers, issuing the next fetches, decoding
 * batches. Not thread-safe except {@link #wakeup()} and the answer callbacks.
 */
final class Fetcher<K, V> {
    /**
     * Prefetched bytes per consumer (held plus in flight) within which partitions may hold more than the guaranteed
     * fetches: deep enough that a consumer reading fast does not wait on fetch round trips, small next to the heap.
     */
    static final long BUFFER_BUDGET_BYTES = 32L << 20;

    private final RemotingClient client;
    private final RouteCache routes;
    private final OffsetLookup offsets;
    private final Backoff backoff;
    private final CompletedFetch.RecordDecoder<K, V> decoder;
    private final ConsumerMetrics metrics;
    private final ConsumerConfig.AutoOffsetReset resetPolicy;
    private final int fetchMaxBytes;
    private final int fetchMaxWaitMs;
    private final int fetchMinBytes;
    private final long requestTimeoutMs;
    private final boolean checkCrcs;
    /** Bytes of prefetched data (held and in flight) past which only the guaranteed fetches per partition go out. */
    private final long bufferBudgetBytes;
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    private volatile Thread waiter;
    private volatile boolean closed;
    private int nextPartition;

    Fetcher(ConsumerConfig config, RemotingClient client, RouteCache routes, OffsetLookup offsets, Backoff backoff,
            CompletedFetch.RecordDecoder<K, V> decoder, ConsumerMetrics metrics) {
        this.client = client;
        this.routes = routes;
        this.offsets = offsets;
        this.backoff = backoff;
        this.decoder = decoder;
        this.metrics = metrics;
        this.resetPolicy = config.autoOffsetReset();
        this.fetchMaxBytes = config.fetchMaxBytes();
        this.fetchMaxWaitMs = config.fetchMaxWaitMs();
        this.fetchMinBytes = config.fetchMinBytes();
        this.requestTimeoutMs = config.requestTimeoutMs();
        this.checkCrcs = config.checkCrcs();
        this.bufferBudgetBytes = Math.max(BUFFER_BUDGET_BYTES, 2L * fetchMaxBytes);
    }

    /** Gives partitions without a position a pending reset per {@code auto.offset.reset} (or an error for NONE). */
    void initPositions(List<PartitionFetchState> states) {
        for (PartitionFetchState s : states) {
            if (!s.hasPosition() && s.pendingReset == 0 && s.error == null) {
                switch (resetPolicy) {
                    case EARLIEST -> s.requestReset(ListOffsetsRequest.EARLIEST);
                    case LATEST -> s.requestReset(ListOffsetsRequest.LATEST);
                    default -> s.error = new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "no position for " + s.tp
                            + " and auto.offset.reset=none: seek before polling");
                }
            }
        }
    }

    /** Sends LIST_OFFSETS for every pending reset not yet in flight. */
    void sendResets(List<PartitionFetchState> states, long nowNs) {
        for (PartitionFetchState s : states) {
            if (s.pendingReset == 0 || s.resetInFlight || nowNs - s.backoffUntilNs < 0) {
                continue;
            }
            if (leader(s) == null) {
                continue;
            }
            s.resetInFlight = true;
            int epoch = s.epoch;
            offsets.send(s.tp, s.pendingReset).whenComplete((answer, error) ->
                    enqueue(new Event(false, s, epoch, -1, answer, null, error, 0)));
        }
    }

    /**
     * Sends a fetch for every partition that has a position, a known leader and room for more data. Past the
     * guaranteed fetches per partition, a fetch goes out only while the data held plus every fetch in flight (counted
     * at {@code fetch.max.bytes}) stays within the consumer's buffer budget, so prefetching is bounded per consumer.
     */
    void sendFetches(List<PartitionFetchState> states, long nowNs) {
        long committed = 0;
        for (PartitionFetchState s : states) {
            committed += s.bufferedBytes() + (long) s.fetchesInFlight * fetchMaxBytes;
        }
        for (PartitionFetchState s : states) {
            if (!s.canFetch(nowNs, committed + fetchMaxBytes <= bufferBudgetBytes)) {
                continue;
            }
            InetSocketAddress leader = leader(s);
            if (leader == null) {
                continue;
            }
            TopicRoutes topicRoutes = routes.topic(s.tp.topic());
            FetchRequest request = new FetchRequest();
            request.topic = s.tp.topic();
            request.partition = s.tp.partition();
            request.offset = s.nextFetchOffset;
            request.maxBytes = fetchMaxBytes;
            request.maxWaitMs = fetchMaxWaitMs;
            request.minBytes = fetchMinBytes;
            request.replicaId = -1;
            request.replicaLogEndOffset = -1;
            request.leaderEpoch = topicRoutes.leaderEpoch(s.tp.partition());
            s.fetchesInFlight++;
            committed += fetchMaxBytes;
            s.liveFetchEpoch = s.epoch;
            int epoch = s.epoch;
            long startNs = System.nanoTime();
            client.connection(leader)
                    .thenCompose(c -> c.request(ApiKey.FETCH, request, null, requestTimeoutMs))
                    .whenComplete((response, error) ->
                            enqueue(new Event(true, s, epoch, request.offset, null, response, error, startNs)));
        }
    }

    /** The partition's leader, or null after asking for fresh routes (their arrival wakes the consumer). */
    private InetSocketAddress leader(PartitionFetchState s) {
        TopicRoutes topicRoutes = routes.topic(s.tp.topic());
        InetSocketAddress leader = topicRoutes == null ? null : topicRoutes.leader(s.tp.partition());
        if (leader == null) {
            routes.addTopic(s.tp.topic());
            routes.requestRefresh();
        }
        return leader;
    }

    private void enqueue(Event event) {
        events.add(event);
        if (closed) {
            discardEvents();
        }
        wakeup();
    }

    /** Wakes the consumer thread if it waits for an answer. */
    void wakeup() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Waits up to {@code timeoutNs} for an answer (or a wakeup). */
    void await(long timeoutNs) {
        if (timeoutNs <= 0) {
            return;
        }
        waiter = Thread.currentThread();
        try {
            if (events.isEmpty()) {
                LockSupport.parkNanos(this, timeoutNs);
            }
        } finally {
            waiter = null;
        }
    }

    /** Applies every answer received so far. */
    void processEvents(long nowNs) {
        Event e;
        while ((e = events.poll()) != null) {
            if (e.fetch) {
                applyFetch(e, nowNs);
            } else {
                applyReset(e, nowNs);
            }
        }
    }

    private void applyReset(Event e, long nowNs) {
        PartitionFetchState s = e.state;
        s.resetInFlight = false;
        if (!s.assigned || e.epoch != s.epoch) {
            return;
        }
        if (e.error != null) {
            onError(s, SluiceException.from(e.error), nowNs);
            return;
        }
        s.seek(e.offsets.offset);
        s.failures = 0;
    }

    private void applyFetch(Event e, long nowNs) {
        PartitionFetchState s = e.state;
        s.fetchesInFlight--;
        if (!s.assigned || e.epoch != s.epoch || closed) {
            if (e.response != null) {
                e.response.close();
            }
            return;
        }
        if (e.error != null) {
            onError(s, SluiceException.from(e.error), nowNs);
            return;
        }
        metrics.fetched(nowNs - e.startNs);
        s.outOfRangeStrikes = 0;
        FetchResponse answer = e.response.message();
        s.highWatermark = answer.highWatermark;
        s.logStartOffset = answer.logStartOffset;
        s.logEndOffset = answer.logEndOffset;
        s.failures = 0;
        CompletedFetch fetch = new CompletedFetch(s.tp, e.response, checkCrcs);
        long next = fetch.nextOffsetAfterData();
        if (next <= e.fetchOffset) {
            fetch.close();
            if (e.response.payload().isReadable() && next < 0) {
                onError(s, new SluiceException(ErrorCode.CORRUPT_RECORD, "fetch of " + s.tp + " at "
                        + e.fetchOffset + " returned no whole batch"), nowNs);
            }
            return;
        }
        s.nextFetchOffset = next;
        s.buffered.addLast(fetch);
    }

    private void onError(PartitionFetchState s, SluiceException error, long nowNs) {
        if (error.code().refreshRoutes()) {
            routes.requestRefresh();
        }
        if (error.code() == ErrorCode.OFFSET_OUT_OF_RANGE) {
            if (s.hasBufferedData() || s.outOfRangeStrikes++ == 0) {
                // data still to return, or the first refusal at this position: ask again before resetting, so a
                // transient refusal (e.g. a read racing a segment roll) does not make the consumer replay or skip
                s.backoff(nowNs, backoff);
                return;
            }
            if (resetPolicy == ConsumerConfig.AutoOffsetReset.NONE) {
                s.error = new SluiceException(error.code(), s.tp + " position " + s.position + " is out of range: "
                        + error.getMessage() + " (auto.offset.reset=none: seek to go on)", error);
            } else {
                s.requestReset(resetPolicy == ConsumerConfig.AutoOffsetReset.EARLIEST
                        ? ListOffsetsRequest.EARLIEST : ListOffsetsRequest.LATEST);
            }
            return;
        }
        s.backoff(nowNs, backoff);
        if (!error.code().retriable()) {
            s.error = new SluiceException(error.code(), s.tp + ": " + error.getMessage(), error);
        }
    }

    /** Removes and returns the first error waiting to be raised, or null. */
    SluiceException takeError(List<PartitionFetchState> states) {
        for (PartitionFetchState s : states) {
            SluiceException e = s.error;
            if (e != null) {
                s.error = null;
                return e;
            }
        }
        return null;
    }

    /**
     * Takes up to {@code max} buffered records, partition after partition starting from a rotating one, decoding
     * batches as needed and advancing positions.
     */
    @SuppressWarnings("unchecked")
    ConsumerRecords<K, V> collect(List<PartitionFetchState> states, int max) {
        Map<TopicPartition, List<ConsumerRecord<K, V>>> out = null;
        int total = 0;
        int n = states.size();
        int start = n == 0 ? 0 : nextPartition++ % n;
        for (int i = 0; i < n && total < max; i++) {
            PartitionFetchState s = states.get((start + i) % n);
            List<ConsumerRecord<K, V>> taken = null;
            while (total < max && s.assigned && !s.paused && s.hasPosition()) {
                try {
                    if (!s.hasDecoded() && !decodeNext(s)) {
                        break;
                    }
                } catch (SluiceException e) {
                    if (total == 0 && taken == null) {
                        throw e;
                    }
                    s.error = e;
                    break;
                }
                List<ConsumerRecord<K, V>> decoded = (List<ConsumerRecord<K, V>>) s.decoded;
                int count = Math.min(max - total, decoded.size() - s.decodedIndex);
                if (taken == null && s.decodedIndex == 0 && count == decoded.size()) {
                    taken = decoded; // the whole batch: hand its list over rather than copy it
                    s.decoded = null;
                } else {
                    if (taken == null) {
                        taken = new ArrayList<>(count);
                    }
                    taken.addAll(decoded.subList(s.decodedIndex, s.decodedIndex + count));
                }
                s.decodedIndex += count;
                s.position = decoded.get(s.decodedIndex - 1).offset() + 1;
                total += count;
            }
            if (taken != null) {
                if (out == null) {
                    out = new LinkedHashMap<>();
                }
                out.put(s.tp, taken);
            }
        }
        if (out == null) {
            return ConsumerRecords.empty();
        }
        metrics.consumed(total);
        return new ConsumerRecords<>(out);
    }

    /** Decodes the next batch with records at or after the position; false when no data is buffered. */
    private boolean decodeNext(PartitionFetchState s) {
        s.decoded = null;
        s.decodedIndex = 0;
        CompletedFetch fetch;
        while ((fetch = s.buffered.peekFirst()) != null) {
            List<ConsumerRecord<K, V>> records;
            try {
                records = fetch.nextRecords(s.position, decoder);
            } catch (SluiceException e) {
                if (e.code() == ErrorCode.CORRUPT_RECORD) {
                    s.seek(s.position);
                    s.backoff(System.nanoTime(), backoff);
                }
                throw e;
            }
            if (fetch.isExhausted()) {
                // release the payload at once (records are copies), so the next fetch may go out in this poll
                s.buffered.pollFirst().close();
            }
            if (records != null) {
                s.decoded = records;
                return true;
            }
        }
        return false;
    }

    /** Nanoseconds until some partition's backoff ends, or {@code Long.MAX_VALUE}. */
    long nanosUntilBackoffEnds(List<PartitionFetchState> states, long nowNs) {
        long min = Long.MAX_VALUE;
        for (PartitionFetchState s : states) {
            long left = s.backoffUntilNs - nowNs;
            if (left > 0 && (s.pendingReset != 0 || s.hasPosition())) {
                min = Math.min(min, left);
            }
        }
        return min;
    }

    /** Drops every answer not yet applied and refuses the later ones. */
    void close() {
        closed = true;
        discardEvents();
    }

    private void discardEvents() {
        Event e;
        while ((e = events.poll()) != null) {
            if (e.response != null) {
                e.response.close();
            }
        }
    }

    /** An answer to a FETCH (response or error) or a LIST_OFFSETS for a reset (offsets or error). */
    private record Event(boolean fetch, PartitionFetchState state, int epoch, long fetchOffset, ListOffsetsResponse offsets,
                         Response response, Throwable error, long startNs) {
    }
}
