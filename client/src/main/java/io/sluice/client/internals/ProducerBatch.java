package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.sluice.client.RecordMetadata;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.RecordBatchBuilder;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One batch of records for one partition: the records are written straight into a pooled buffer with a
 * {@link RecordBatchBuilder}, beside one future per record. The batch is sent as the payload of one produce request,
 * possibly several times (retries); the buffer is released exactly once, when the batch completes.
 *
 * <p>Thread-safety: appends and the fields marked "queue lock" are guarded by the lock of the partition's
 * {@link PartitionQueue}; completion is safe from any thread and happens at most once.
 */
final class ProducerBatch {
    final String topic;
    final int partition;
    final long sequence;
    final long createdNs;
    final long deliveryDeadlineNs;
    private final ByteBuf buffer;
    private final int allocatedSize;
    private final int capacity;
    private final BufferPool pool;
    private final RecordBatchBuilder builder;
    private final AtomicBoolean done = new AtomicBoolean();
    private final CompletableFuture<Void> completion = new CompletableFuture<>();
    private final Set<ProducerBatch> incomplete;
    private CompletableFuture<RecordMetadata>[] futures;
    private long[] timestamps;
    private int count;
    /** No more appends (queue lock). */
    private boolean closed;
    /** Send attempts so far (sender). */
    int attempts;
    /** Do not send again before this time (queue lock). */
    long retryAtNs;
    /** The error of the last failed attempt, for the message when the batch expires. */
    volatile SluiceException lastError;

    /** A destination chosen by the sender for the next attempt (sender thread only). */
    InetSocketAddress destination;

    @SuppressWarnings("unchecked")
    ProducerBatch(String topic, int partition, long sequence, ByteBuf buffer, int allocatedSize, BufferPool pool,
                  Set<ProducerBatch> incomplete, long baseTimestamp, int expectedRecords, long nowNs,
                  long deliveryTimeoutNs) {
        this.incomplete = incomplete;
        int slots = Math.max(4, Math.min(expectedRecords, 8192));
        this.futures = new CompletableFuture[slots];
        this.timestamps = new long[slots];
        this.topic = topic;
        this.partition = partition;
        this.sequence = sequence;
        this.buffer = buffer;
        this.allocatedSize = allocatedSize;
        this.pool = pool;
        this.createdNs = nowNs;
        this.deliveryDeadlineNs = nowNs + deliveryTimeoutNs;
        this.capacity = buffer.capacity();
        this.builder = new RecordBatchBuilder(untracked(buffer), baseTimestamp);
    }

    /**
     * The buffer to write records through. A buffer fresh from the allocator is either the pooled buffer itself or,
     * when the leak detector samples it, a wrapper around it that shares its indexes; writing through the wrapped
     * buffer keeps paranoid leak detection (a stack trace per access) off the per-record path, while allocation,
     * retains and the release still go through the tracked wrapper.
     */
    private static ByteBuf untracked(ByteBuf fresh) {
        ByteBuf inner = fresh.unwrap();
        return inner != null && inner.capacity() == fresh.capacity() && inner.writerIndex() == fresh.writerIndex()
                ? inner : fresh;
    }

    /**
     * Appends a record if it fits (size and timestamp range) and the batch is open; returns its future, or null.
     * {@code recordSize} is {@link RecordBatchBuilder#recordSize} of the record.
     */
    CompletableFuture<RecordMetadata> tryAppend(long timestamp, byte[] key, byte[] value, String[] headerKeys,
                                                byte[][] headerValues, int recordSize) {
        if (closed || capacity - builder.sizeInBytes() < recordSize) {
            return null;
        }
        long delta = timestamp - builder.baseTimestamp();
        if (delta < Integer.MIN_VALUE || delta > Integer.MAX_VALUE) {
            return null;
        }
        builder.append(timestamp, key, value, headerKeys, headerValues);
        if (count == futures.length) {
            futures = Arrays.copyOf(futures, count * 2);
            timestamps = Arrays.copyOf(timestamps, count * 2);
        }
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        futures[count] = future;
        timestamps[count] = timestamp;
        count++;
        return future;
    }

    /** True when no further record fits (queue lock). */
    boolean isFull(int minRecordSize) {
        return closed || capacity - builder.sizeInBytes() < minRecordSize;
    }

    /** Stops appends and writes the header and checksum (queue lock). Idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            builder.close();
        }
    }

    boolean isClosed() {
        return closed;
    }

    int recordCount() {
        return count;
    }

    int sizeInBytes() {
        return builder.sizeInBytes();
    }

    /** A new reference to the closed batch's bytes, for one send attempt; the transport releases it. */
    ByteBuf retainedPayload() {
        return buffer.retainedSlice(builder.start(), builder.sizeInBytes());
    }

    boolean isDone() {
        return done.get();
    }

    /** Completes when the batch is acknowledged or failed. */
    CompletableFuture<Void> completion() {
        return completion;
    }

    /**
     * Completes every record's future with its offset ({@code baseOffset + index}; -1 for every record when
     * {@code baseOffset} is -1) and releases the buffer. False if the batch was already done.
     */
    boolean succeed(long baseOffset) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        try {
            for (int i = 0; i < count; i++) {
                long offset = baseOffset < 0 ? -1 : baseOffset + i;
                futures[i].complete(new RecordMetadata(topic, partition, offset, timestamps[i]));
                futures[i] = null;
            }
        } finally {
            release();
        }
        return true;
    }

    /** Fails every record's future with {@code error} and releases the buffer. False if already done. */
    boolean fail(SluiceException error) {
        if (!done.compareAndSet(false, true)) {
            return false;
        }
        try {
            for (int i = 0; i < count; i++) {
                futures[i].completeExceptionally(error);
                futures[i] = null;
            }
        } finally {
            release();
        }
        return true;
    }

    private void release() {
        incomplete.remove(this);
        try {
            pool.deallocate(buffer, allocatedSize);
        } finally {
            completion.complete(null);
        }
    }

    @Override
    public String toString() {
        return count + " records for " + topic + "-" + partition;
    }
}
