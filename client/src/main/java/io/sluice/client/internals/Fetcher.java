package io.sluice.client.internals;

import io.sluice.client.ConsumerConfig;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.ConsumerRecords;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.fetch.FetchSessionBuilder;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.FetchPartition;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.protocol.FetchedPartition;
import io.sluice.remoting.protocol.ListOffsetsRequest;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The consumer's data path: keeps one long-poll FETCH in flight per leader broker, asking in one request for every
 * assigned partition led there that has room for more data, inside a fetch session per broker (only what changed
 * is sent and answered; see {@link FetchSessionBuilder}); looks up positions to reset with LIST_OFFSETS, and turns
 * answers into records. Each partition of an answer is handled on its own, as a single-partition answer would be:
 * its records become a {@link CompletedFetch} (a slice of the shared payload), its error moves that partition
 * alone (NOT_LEADER refreshes routes, OFFSET_OUT_OF_RANGE applies the reset policy). A failed request backs off the
 * partitions it asked for; a session error only makes the next request a full fetch.
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
    /** A partition's records are sliced out of an answer at least 1/8 their own; smaller shares are copied. */
    static final int SLICE_PIN_FACTOR = 8;

    private final RemotingClient client;
    private final RouteCache routes;
    private final OffsetLookup offsets;
    private final Backoff backoff;
    private final CompletedFetch.RecordDecoder<K, V> decoder;
    private final ConsumerMetrics metrics;
    private final ConsumerConfig.AutoOffsetReset resetPolicy;
    private final int fetchMaxBytes;
    private final int partitionMaxBytes;
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
    /** {@link #collect} released fetched data since the last {@link #sendFetches} (consumer thread only) */
    private boolean releasedSinceSend;
    /** per leader broker: its fetch session and whether a fetch to it is in flight (consumer thread only) */
    private final Map<InetSocketAddress, Node> nodes = new HashMap<>();

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
        this.partitionMaxBytes = config.maxPartitionFetchBytes();
        this.fetchMaxWaitMs = config.fetchMaxWaitMs();
        this.fetchMinBytes = config.fetchMinBytes();
        this.requestTimeoutMs = config.requestTimeoutMs();
        this.checkCrcs = config.checkCrcs();
        this.bufferBudgetBytes = Math.max(BUFFER_BUDGET_BYTES, 2L * Math.max(fetchMaxBytes, partitionMaxBytes));
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

    /** Sends LIST_OFFSETS for every pending reset not yet in flight: one request per leader. */
    void sendResets(List<PartitionFetchState> states, long nowNs) {
        Map<InetSocketAddress, Map<TopicPartition, Long>> byLeader = new LinkedHashMap<>();
        Map<TopicPartition, Sent> sent = new HashMap<>();
        for (PartitionFetchState s : states) {
            if (s.pendingReset == 0 || s.resetInFlight || nowNs - s.backoffUntilNs < 0) {
                continue;
            }
            InetSocketAddress leader = leader(s);
            if (leader == null) {
                continue;
            }
            s.resetInFlight = true;
            byLeader.computeIfAbsent(leader, l -> new LinkedHashMap<>()).put(s.tp, s.pendingReset);
            sent.put(s.tp, new Sent(s, s.epoch, -1));
        }
        byLeader.forEach((leader, query) -> offsets.send(leader, query).whenComplete((answers, error) -> {
            for (TopicPartition tp : query.keySet()) {
                enqueue(new Event(null, null, sent.get(tp), answers == null ? null : answers.get(tp), null, error, 0));
            }
        }));
    }

    /**
     * Sends one fetch to every leader broker that has none in flight, for the partitions it leads that have a
     * position and room for more data. Past the guaranteed fetches per partition, a partition is asked for only
     * while the data held plus what the fetches in flight may bring (each partition counted at
     * {@code max.partition.fetch.bytes}, each request at most {@code fetch.max.bytes}) stays within the consumer's
     * buffer budget, so prefetching is bounded per consumer.
     */
    void sendFetches(List<PartitionFetchState> states, long nowNs) {
        releasedSinceSend = false;
        long committed = 0;
        for (PartitionFetchState s : states) {
            committed += s.bufferedBytes();
        }
        for (Node node : nodes.values()) {
            committed += node.inFlightBytes;
        }
        Map<InetSocketAddress, List<PartitionFetchState>> byLeader = new LinkedHashMap<>();
        InetSocketAddress lastLeader = null;
        Node lastNode = null;
        for (PartitionFetchState s : states) {
            if (!s.canFetch(nowNs, committed + partitionMaxBytes <= bufferBudgetBytes)) {
                continue;
            }
            InetSocketAddress leader = leader(s);
            if (leader == null) {
                continue;
            }
            if (leader != lastLeader) {   // routes share one address object per broker: most lookups are skipped
                lastLeader = leader;
                lastNode = nodes.computeIfAbsent(leader, a -> new Node());
            }
            if (lastNode.inFlight) {
                continue;
            }
            List<PartitionFetchState> batch = byLeader.computeIfAbsent(leader, a -> new ArrayList<>());
            if (batch.size() < FetchRequest.MAX_PARTITIONS) {
                batch.add(s);
                committed += partitionMaxBytes;
            }
        }
        byLeader.forEach((leader, batch) -> send(leader, nodes.get(leader), batch));
    }

    private void send(InetSocketAddress leader, Node node, List<PartitionFetchState> batch) {
        Connection current = client.connection(leader).getNow(null);
        if (current == null || current != node.connection) {
            node.session.reset(); // a new connection: the broker dropped the old one's session with it
            node.connection = current;
        }
        List<FetchPartition> wanted = new ArrayList<>(batch.size());
        Map<FetchSessionBuilder.Key, Sent> sent = new HashMap<>(batch.size() * 2);
        for (PartitionFetchState s : batch) {
            TopicRoutes topicRoutes = routes.topic(s.tp.topic());
            wanted.add(new FetchPartition(s.tp.topic(), s.tp.partition(), s.nextFetchOffset, partitionMaxBytes,
                    topicRoutes.leaderEpoch(s.tp.partition())));
            sent.put(new FetchSessionBuilder.Key(s.tp.topic(), s.tp.partition()),
                    new Sent(s, s.epoch, s.nextFetchOffset));
            s.fetchesInFlight++;
            s.liveFetchEpoch = s.epoch;
        }
        FetchRequest request = node.session.build(wanted, -1, fetchMaxWaitMs, fetchMinBytes, fetchMaxBytes);
        node.inFlight = true;
        node.inFlightBytes = Math.min(fetchMaxBytes, (long) batch.size() * partitionMaxBytes);
        long startNs = System.nanoTime();
        client.connection(leader)
                .thenCompose(c -> c.request(ApiKey.FETCH, request, null, requestTimeoutMs))
                .whenComplete((response, error) ->
                        enqueue(new Event(node, sent, null, null, response, error, startNs)));
    }

    /** The partition's leader, or null after asking for fresh routes (their arrival wakes the consumer). */
    private InetSocketAddress leader(PartitionFetchState s) {
        return offsets.leader(s.tp);
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
            if (e.node != null) {
                applyFetch(e, nowNs);
            } else {
                applyReset(e, nowNs);
            }
        }
    }

    private void applyReset(Event e, long nowNs) {
        PartitionFetchState s = e.reset.state;
        s.resetInFlight = false;
        if (!s.assigned || e.reset.epoch != s.epoch) {
            return;
        }
        if (e.error != null) {
            onError(s, SluiceException.from(e.error), nowNs);
            return;
        }
        if (e.offset.error() != null) {
            onError(s, e.offset.error(), nowNs);
            return;
        }
        s.seek(e.offset.offset());
        s.failures = 0;
    }

    private void applyFetch(Event e, long nowNs) {
        Node node = e.node;
        node.inFlight = false;
        node.inFlightBytes = 0;
        for (Sent sent : e.sent.values()) {
            sent.state.fetchesInFlight--;
        }
        try {
            if (e.error != null) {
                SluiceException error = SluiceException.from(e.error);
                node.session.onError(error.code());
                if (error.code() != ErrorCode.FETCH_SESSION_ID_NOT_FOUND
                        && error.code() != ErrorCode.INVALID_FETCH_SESSION_EPOCH) {
                    for (Sent sent : e.sent.values()) {
                        if (current(sent)) {
                            onError(sent.state, error, nowNs);
                        }
                    }
                }
                return;
            }
            FetchResponse answer = e.response.message();
            node.session.onResponse(answer);
            metrics.fetched(nowNs - e.startNs);
            if (answer.partitions == null) {
                return;
            }
            ByteBuf payload = e.response.payload();
            int pos = payload.readerIndex();
            for (FetchedPartition r : answer.partitions) {
                int length = Math.max(0, Math.min(r.recordsBytes, payload.writerIndex() - pos));
                int at = pos;
                pos += length;
                Sent sent = e.sent.get(new FetchSessionBuilder.Key(r.topic, r.partition));
                if (sent != null && current(sent)) {
                    applyPartition(sent, r, payload, at, length, nowNs);
                }
            }
        } finally {
            if (e.response != null) {
                e.response.close();
            }
        }
    }

    /** True if the partition was asked for under its current position epoch (no seek or reset since). */
    private boolean current(Sent sent) {
        return sent.state.assigned && sent.epoch == sent.state.epoch && !closed;
    }

    private void applyPartition(Sent sent, FetchedPartition r, ByteBuf payload, int at, int length, long nowNs) {
        PartitionFetchState s = sent.state;
        if (r.errorCode != 0) {
            onError(s, ErrorCode.forId(r.errorCode).exception(r.errorMessage), nowNs);
            return;
        }
        s.outOfRangeStrikes = 0;
        s.highWatermark = r.highWatermark;
        s.logStartOffset = r.logStartOffset;
        s.logEndOffset = r.logEndOffset;
        s.failures = 0;
        if (length == 0) {
            return;
        }
        CompletedFetch fetch = new CompletedFetch(s.tp, new Response(null, share(payload, at, length)), checkCrcs);
        long next = fetch.nextOffsetAfterData();
        if (next <= sent.fetchOffset) {
            fetch.close();
            if (next < 0) {
                onError(s, new SluiceException(ErrorCode.CORRUPT_RECORD, "fetch of " + s.tp + " at "
                        + sent.fetchOffset + " returned no whole batch"), nowNs);
            }
            return;
        }
        s.nextFetchOffset = next;
        s.buffered.addLast(fetch);
    }

    /**
     * A partition's share of an answer's payload: a slice of it (no copy), unless the share is small next to the
     * whole, which a slice would keep in memory for as long as the partition holds its records (a paused partition
     * may hold them long): then a copy of just its bytes. So held data pins at most {@link #SLICE_PIN_FACTOR} times
     * its size.
     */
    private static ByteBuf share(ByteBuf payload, int at, int length) {
        if ((long) length * SLICE_PIN_FACTOR >= payload.readableBytes()) {
            return payload.retainedSlice(at, length);
        }
        ByteBuf copy = Unpooled.buffer(length, length);
        copy.writeBytes(payload, at, length);
        return copy;
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
                releasedSinceSend = true;
            }
            if (records != null) {
                s.decoded = records;
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@link #collect} released fetched data since the last {@link #sendFetches}: only then may a second
     * call in the same poll send more (with thousands of partitions, each call weighs every one of them).
     */
    boolean releasedSinceSend() {
        return releasedSinceSend;
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

    /**
     * An answer to a FETCH of {@code node} for the partitions {@code sent} (response or error), or to a LIST_OFFSETS
     * for the {@code reset} of one partition (its answer, or the error of the whole request).
     */
    private record Event(Node node, Map<FetchSessionBuilder.Key, Sent> sent, Sent reset, OffsetLookup.Found offset,
                         Response response, Throwable error, long startNs) {
    }

    /** A partition asked for: its state, its position epoch then, and the offset asked for. */
    private record Sent(PartitionFetchState state, int epoch, long fetchOffset) {
    }

    /** One leader broker: its fetch session and the fetch in flight to it, if any. */
    private static final class Node {
        final FetchSessionBuilder session = new FetchSessionBuilder();
        Connection connection;
        boolean inFlight;
        long inFlightBytes;
    }
}
