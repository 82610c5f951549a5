package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.broker.log.FetchData;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.broker.partition.PartitionListener;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves fetches with long polling: when nothing is readable at the requested offset, the fetch parks on the
 * partition until an append wakes it or its max wait passes, so an idle consumer costs one request per max wait.
 * The number of fetches parked at once is bounded; past the bound a fetch is answered at once. Any readable
 * record satisfies a fetch ({@code minBytes} is treated as 1). A parked fetch whose connection closes is dropped at
 * once (it frees its place among the parked); one woken while its connection's answers are backed up (the client
 * does not read them) is answered without records, so a client cannot make the broker read into memory what it
 * will not take.
 */
public final class FetchHandler implements RequestHandler {
    private static final int TRIM_SLACK_BYTES = 16 * 1024;
    private final PartitionManager partitions;
    private final PartitionListener listener;
    private final long maxWaitMs;
    private final int maxBytes;
    private final int maxParked;
    private final AtomicInteger parkedCount = new AtomicInteger();

    public FetchHandler(PartitionManager partitions, PartitionListener listener, long maxWaitMs, int maxBytes,
                        int maxParked) {
        this.partitions = partitions;
        this.listener = listener;
        this.maxWaitMs = maxWaitMs;
        this.maxBytes = maxBytes;
        this.maxParked = maxParked;
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf ignored) {
        FetchRequest request = (FetchRequest) message;
        if (request.maxBytes <= 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "fetch maxBytes must be positive, not " + request.maxBytes);
        }
        Partition partition = partitions.partition(request.topic, request.partition);
        boolean follower = request.replicaId >= 0;
        if (follower) {
            checkFollowerFetch(partition, request);
        }
        long wait = Math.min(Math.max(0, request.maxWaitMs), maxWaitMs);
        // Park only a fetch that waits exactly at the end of what it may read; anything else (data ready, an offset
        // out of range, not the leader) is answered at once.
        if (wait == 0 || partition.readableEnd(follower) != request.offset || !partition.isLeader()) {
            answer(ctx, partition, request, follower);
            return;
        }
        if (parkedCount.incrementAndGet() > maxParked) {
            parkedCount.decrementAndGet();
            answer(ctx, partition, request, follower);
            return;
        }
        park(ctx, partition, request, follower, wait);
    }

    /**
     * A follower's fetch must name this leader's epoch: an older one means the follower has not yet truncated to
     * this leader's history (FENCED_LEADER_EPOCH), a newer one that this broker has not yet heard of its own new
     * role (NOT_LEADER). Its offset is the follower's log end, which moves the high watermark.
     */
    private static void checkFollowerFetch(Partition partition, FetchRequest request) {
        if (!partition.isLeader()) {
            throw new SluiceException(ErrorCode.NOT_LEADER, "this broker does not lead " + partition);
        }
        if (request.leaderEpoch < partition.leaderEpoch()) {
            throw new SluiceException(ErrorCode.FENCED_LEADER_EPOCH, "fetch for " + partition + " names leader epoch "
                    + request.leaderEpoch + " but the current one is " + partition.leaderEpoch());
        }
        if (request.leaderEpoch > partition.leaderEpoch()) {
            throw new SluiceException(ErrorCode.NOT_LEADER, "fetch for " + partition + " names leader epoch "
                    + request.leaderEpoch + ", newer than this broker's " + partition.leaderEpoch());
        }
        if (request.offset <= partition.log().logEndOffset()) {
            partition.followerFetched(request.replicaId, request.offset, System.currentTimeMillis());
        }
    }

    private void park(RequestContext ctx, Partition partition, FetchRequest request, boolean follower, long waitMs) {
        AtomicBoolean done = new AtomicBoolean();
        ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
        Runnable onData = new Runnable() {
            @Override
            public void run() {
                if (done.compareAndSet(false, true)) {
                    parkedCount.decrementAndGet();
                    if (timer[0] != null) {
                        timer[0].cancel(false);
                    }
                    ctx.executor().execute(() -> answerSafely(ctx, partition, request, follower));
                }
            }
        };
        timer[0] = ctx.executor().schedule(() -> {
            if (done.compareAndSet(false, true)) {
                parkedCount.decrementAndGet();
                partition.parked().remove(onData);
                answerSafely(ctx, partition, request, follower);
            }
        }, waitMs, TimeUnit.MILLISECONDS);
        partition.parked().park(onData);
        ctx.onAbandoned(() -> {
            if (done.compareAndSet(false, true)) {
                parkedCount.decrementAndGet();
                timer[0].cancel(false);
                partition.parked().remove(onData);
            }
        });
        // An append may have landed between the check and the park: look again so no wake-up is lost.
        if (partition.readableEnd(follower) > request.offset) {
            partition.parked().remove(onData);
            onData.run();
        }
    }

    private void answerSafely(RequestContext ctx, Partition partition, FetchRequest request, boolean follower) {
        try {
            answer(ctx, partition, request, follower);
        } catch (RuntimeException e) {
            ctx.fail(e);
        }
    }

    /**
     * {@code records}, or a copy of just its bytes when it holds far more memory than it fills (the read buffer is
     * sized for what the log has, the answer may be one small batch): an answer that waits to be written, maybe
     * long, should hold no more than it sends.
     */
    private static ByteBuf trimmed(RequestContext ctx, ByteBuf records) {
        int readable = records.readableBytes();
        if (records.capacity() - readable <= TRIM_SLACK_BYTES || readable >= records.capacity() / 2) {
            return records;
        }
        if (readable == 0) {
            records.release();
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf copy = ctx.alloc().directBuffer(readable, readable);
        try {
            copy.writeBytes(records, records.readerIndex(), readable);
        } finally {
            records.release();
        }
        return copy;
    }

    /** Records in whole batches, summed from their headers. */
    private static int recordCount(ByteBuf batches) {
        int count = 0;
        int pos = batches.readerIndex();
        int end = batches.writerIndex();
        while (end - pos >= RecordBatch.HEADER_SIZE) {
            count += batches.getInt(pos + RecordBatch.RECORD_COUNT_OFFSET);
            pos += RecordBatch.LOG_OVERHEAD + batches.getInt(pos + RecordBatch.BATCH_LENGTH_OFFSET);
        }
        return count;
    }

    private void answer(RequestContext ctx, Partition partition, FetchRequest request, boolean follower) {
        if (ctx.isDone()) {
            return;
        }
        FetchResponse response = new FetchResponse();
        response.highWatermark = partition.log().highWatermark();
        response.logStartOffset = partition.log().logStartOffset();
        response.logEndOffset = partition.log().logEndOffset();
        response.leaderEpoch = partition.leaderEpoch();
        if (ctx.backlogged()) {
            ctx.respond(response); // no records: the client has not taken the answers it has already
            return;
        }
        int limit = Math.min(request.maxBytes, maxBytes);
        FetchData data = partition.read(request.offset, limit, follower, ctx.alloc());
        ByteBuf records = trimmed(ctx, data.records());
        listener.onRead(partition, records.readableBytes(), data.batchCount(), recordCount(records));
        ctx.respond(response, records);
    }
}
