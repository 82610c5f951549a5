package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.sluice.client.RecordMetadata;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.record.RecordBatchBuilder;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Collects records into per-partition batches until the sender takes them. Application threads
 * {@link #append} records; the sender {@link #drain}s batches that are ready (full, lingered long enough, or forced
 * by a flush, a close or a full buffer) for partitions with a known leader and room for another request in flight;
 * failed attempts come back through {@link #reenqueue} in their original order.
 *
 * <p>Memory is bounded by the {@link BufferPool}: appending a record that needs a new batch blocks for buffer space
 * outside any partition lock. Thread-safe: each partition's queue has its own lock.
 */
final class RecordAccumulator {
    /** Smallest possible record; a batch with less room than this is full. */
    private static final int MIN_RECORD_SIZE = Record.OVERHEAD;

    private final int batchSize;
    private final long lingerNs;
    private final long deliveryTimeoutNs;
    private final int maxInFlight;
    private final BufferPool pool;
    private final Runnable onNewBatch;
    private final ConcurrentHashMap<String, PartitionQueue[]> topics = new ConcurrentHashMap<>();
    private final Set<ProducerBatch> incomplete = ConcurrentHashMap.newKeySet();
    private final AtomicInteger flushes = new AtomicInteger();
    /** Where the next drain starts in each topic (sender thread only). */
    private int drainRotation;
    private volatile boolean closed;

    /** {@code onNewBatch} runs after a new batch is queued (to wake the sender). */
    public RecordAccumulator(int batchSize, long lingerMs, long deliveryTimeoutMs, int maxInFlight, BufferPool pool,
                             Runnable onNewBatch) {
        this.batchSize = batchSize;
        this.lingerNs = TimeUnit.MILLISECONDS.toNanos(lingerMs);
        this.deliveryTimeoutNs = TimeUnit.MILLISECONDS.toNanos(deliveryTimeoutMs);
        this.maxInFlight = maxInFlight;
        this.pool = pool;
        this.onNewBatch = onNewBatch;
    }

    /**
     * Appends a record to the partition's open batch, or to a new batch. Returns the record's future, or null if
     * {@code abortOnNewBatch} and the record needs a new batch (the caller may pick another partition and call
     * again). {@code recordSize} is {@link RecordBatchBuilder#recordSize} of the record. Blocks up to
     * {@code maxBlockNs} for buffer space; throws {@code BUFFER_EXHAUSTED}, or {@code CLIENT_CLOSED} once closed.
     */
    public CompletableFuture<RecordMetadata> append(String topic, int partition, long timestamp, byte[] key,
                                                    byte[] value, String[] headerKeys, byte[][] headerValues,
                                                    int recordSize, boolean abortOnNewBatch, long maxBlockNs) {
        PartitionQueue queue = queue(topic, partition);
        synchronized (queue) {
            checkOpen();
            CompletableFuture<RecordMetadata> future = tryAppendLast(queue, timestamp, key, value, headerKeys,
                    headerValues, recordSize);
            if (future != null || abortOnNewBatch) {
                return future;
            }
        }
        int size = Math.max(batchSize, RecordBatch.HEADER_SIZE + recordSize);
        ByteBuf buffer = pool.allocate(size, maxBlockNs);
        boolean used = false;
        try {
            CompletableFuture<RecordMetadata> future;
            synchronized (queue) {
                checkOpen();
                future = tryAppendLast(queue, timestamp, key, value, headerKeys, headerValues, recordSize);
                if (future != null) {
                    return future;
                }
                ProducerBatch batch = new ProducerBatch(topic, partition, queue.nextSequence++, buffer, size, pool,
                        incomplete, timestamp, size / recordSize, System.nanoTime(), deliveryTimeoutNs);
                future = batch.tryAppend(timestamp, key, value, headerKeys, headerValues, recordSize);
                queue.batches.addLast(batch);
                incomplete.add(batch);
                used = true;
            }
            onNewBatch.run();
            return future;
        } finally {
            if (!used) {
                pool.deallocate(buffer, size);
            }
        }
    }

    private static CompletableFuture<RecordMetadata> tryAppendLast(PartitionQueue queue, long timestamp, byte[] key,
                                                                   byte[] value, String[] headerKeys,
                                                                   byte[][] headerValues, int recordSize) {
        ProducerBatch last = queue.batches.peekLast();
        return last == null ? null : last.tryAppend(timestamp, key, value, headerKeys, headerValues, recordSize);
    }

    private PartitionQueue queue(String topic, int partition) {
        PartitionQueue[] queues = topics.get(topic);
        if (queues != null && partition < queues.length && queues[partition] != null) {
            return queues[partition];
        }
        return topics.compute(topic, (t, old) -> {
            PartitionQueue[] grown = old == null ? new PartitionQueue[partition + 1]
                    : old.length > partition ? old.clone() : Arrays.copyOf(old, partition + 1);
            if (grown[partition] == null) {
                grown[partition] = new PartitionQueue(t, partition);
            }
            return grown;
        })[partition];
    }

    private void checkOpen() {
        if (closed) {
            throw new SluiceException(ErrorCode.CLIENT_CLOSED, "producer is closed");
        }
    }

    /**
     * Moves batches that may be sent now into {@code ready} (with their destination set) and those past their
     * delivery timeout into {@code expired}. A partition's batches leave in order, at most up to the in-flight limit,
     * and only when its leader is known. Returns nanoseconds until the next batch becomes ready by time, or
     * {@code Long.MAX_VALUE}; sets {@code state.missingLeader} when some partition with data has no known leader.
     *
     * <p>A batch waiting out the backoff after a failed attempt goes at once when the routes name a different leader
     * than the one that failed (the backoff was for that broker; after a failover the new leader can take it now).
     * While the routes still name the failed leader and the error called for fresh routes, {@code
     * state.staleLeader} is set, so that the sender keeps asking for routes until the new leader shows up.
     */
    public long drain(long nowNs, Routes routes, boolean force, List<ProducerBatch> ready,
                      List<ProducerBatch> expired, DrainState state) {
        return drain(nowNs, routes, force, (batch, leader) -> ready.add(batch), expired, state);
    }

    /**
     * As {@link #drain(long, Routes, boolean, List, List, DrainState)}, handing each ready batch to {@code sink}
     * (with its destination set), which may refuse it when its leader can take no more now: the batch then stays
     * queued, and so does the rest of its partition. The partitions of each topic are visited from a point that
     * moves on every drain, so that when leaders take only some, every partition gets its turn.
     */
    public long drain(long nowNs, Routes routes, boolean force, DrainSink sink, List<ProducerBatch> expired,
                      DrainState state) {
        long nextNs = Long.MAX_VALUE;
        boolean forceAll = force || flushes.get() > 0 || pool.hasWaiters();
        int rotation = drainRotation++ & Integer.MAX_VALUE;
        for (PartitionQueue[] queues : topics.values()) {
            TopicRoutes topicRoutes = null;
            int length = queues.length;
            int first = rotation % length;
            for (int j = 0; j < length; j++) {
                PartitionQueue queue = queues[first + j < length ? first + j : first + j - length];
                if (queue == null) {
                    continue;
                }
                if (topicRoutes == null) {
                    topicRoutes = routes.topic(queue.topic);
                }
                InetSocketAddress leader = topicRoutes == null ? null : topicRoutes.leader(queue.partition);
                synchronized (queue) {
                    nextNs = Math.min(nextNs, drainQueue(queue, nowNs, leader, forceAll, sink, expired, state));
                }
            }
        }
        return nextNs;
    }

    private long drainQueue(PartitionQueue queue, long nowNs, InetSocketAddress leader, boolean force,
                            DrainSink sink, List<ProducerBatch> expired, DrainState state) {
        ProducerBatch first;
        while ((first = queue.batches.peekFirst()) != null && nowNs - first.deliveryDeadlineNs >= 0) {
            expired.add(queue.batches.pollFirst());
            first.close();
        }
        while (queue.inFlight < maxInFlight && (first = queue.batches.peekFirst()) != null) {
            if (first.retryAtNs - nowNs > 0) {
                boolean sameLeader = leader == null || leader.equals(first.destination);
                if (sameLeader) {
                    SluiceException error = first.lastError;
                    if (error != null && error.code().refreshRoutes()) {
                        state.staleLeader = true;
                    }
                    return first.retryAtNs - nowNs;
                }
            }
            boolean full = first != queue.batches.peekLast() || first.isFull(MIN_RECORD_SIZE);
            long lingerLeft = first.createdNs + lingerNs - nowNs;
            if (!full && !force && lingerLeft > 0) {
                return lingerLeft;
            }
            if (leader == null) {
                state.missingLeader = true;
                return Math.max(0, first.deliveryDeadlineNs - nowNs);
            }
            if (!sink.offer(first, leader)) {
                break; // the leader is at its request limit (the batch stays open): an answer wakes the sender
            }
            first.close();
            first.destination = leader;
            queue.batches.pollFirst();
            queue.inFlight++;
        }
        ProducerBatch head = queue.batches.peekFirst();
        return head == null ? Long.MAX_VALUE : Math.max(0, head.deliveryDeadlineNs - nowNs);
    }

    /** A sent batch came back for a retry not before {@code retryAtNs}; it goes back in order. */
    void reenqueue(ProducerBatch batch, long retryAtNs) {
        PartitionQueue queue = queue(batch.topic, batch.partition);
        synchronized (queue) {
            batch.retryAtNs = retryAtNs;
            queue.inFlight--;
            queue.insertInOrder(batch);
        }
    }

    /** A sent batch is finished (acknowledged or failed for good); frees its in-flight slot. */
    void inFlightDone(ProducerBatch batch) {
        PartitionQueue queue = queue(batch.topic, batch.partition);
        synchronized (queue) {
            queue.inFlight--;
        }
    }

    /** Batches not yet finished, queued or in flight. */
    public List<ProducerBatch> incompleteBatches() {
        return new ArrayList<>(incomplete);
    }

    public boolean hasIncomplete() {
        return !incomplete.isEmpty();
    }

    /** While a flush is in progress every batch is ready at once, linger or not. */
    public void beginFlush() {
        flushes.incrementAndGet();
    }

    public void endFlush() {
        flushes.decrementAndGet();
    }

    /** Refuses further appends with {@code CLIENT_CLOSED}. */
    public void close() {
        closed = true;
        for (PartitionQueue[] queues : topics.values()) {
            for (PartitionQueue queue : queues) {
                if (queue != null) {
                    synchronized (queue) {
                        // barrier: appends that passed the check have finished
                    }
                }
            }
        }
    }

    /** Fails every queued (not in-flight) batch with {@code error}. */
    public void abortQueued(SluiceException error) {
        for (PartitionQueue[] queues : topics.values()) {
            for (PartitionQueue queue : queues) {
                if (queue == null) {
                    continue;
                }
                List<ProducerBatch> aborted;
                synchronized (queue) {
                    aborted = new ArrayList<>(queue.batches);
                    queue.batches.clear();
                    for (ProducerBatch b : aborted) {
                        b.close();
                    }
                }
                for (ProducerBatch b : aborted) {
                    b.fail(error);
                }
            }
        }
    }

    /** Fails every batch not yet finished, queued or in flight, with {@code error}. */
    public void abortIncomplete(SluiceException error) {
        abortQueued(error);
        for (ProducerBatch b : incompleteBatches()) {
            b.fail(error);
        }
    }

    /** Takes drained batches for their leaders; see {@link #drain(long, Routes, boolean, DrainSink, List, DrainState)}. */
    @FunctionalInterface
    interface DrainSink {
        /** True if {@code batch} was taken for {@code leader}; false leaves it queued. Called under the queue lock. */
        boolean offer(ProducerBatch batch, InetSocketAddress leader);
    }

    /** Out-values of {@link #drain}; reused by the sender. */
    public static final class DrainState {
        boolean missingLeader;
        /** A batch backs off from a leader that failed in a way that calls for fresh routes. */
        boolean staleLeader;

        void reset() {
            missingLeader = false;
            staleLeader = false;
        }
    }
}
