package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.sluice.broker.log.LogAppendInfo;
import io.sluice.broker.log.StorageGuard;
import io.sluice.broker.partition.HighWatermarkWait;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;


/**
 * Appends a producer's record batch to the partition it names, on the connection's I/O thread (an append is a
 * copy into the memory-mapped log). acks=0 requests arrive oneway and get no answer; acks=1 is answered once the
 * leader has appended; acks=all (-1) is refused with NOT_ENOUGH_REPLICAS while fewer than min.insync.replicas are
 * in sync, and otherwise answered once the high watermark passes the batch (every in-sync replica has it). Until
 * then the request parks on the partition; it fails with REQUEST_TIMED_OUT when its timeout passes first and with
 * NOT_LEADER if this broker stops leading meanwhile (the batch may or may not survive: the producer retries), and
 * with NOT_ENOUGH_REPLICAS_AFTER_APPEND when the high watermark passed it only because the in-sync set shrank below
 * min.insync.replicas. A waiting request whose connection closes stops waiting at once.
 * A leader whose registry connection dropped refuses acks=all with NOT_LEADER before appending, and fails those
 * already waiting the same way, until the registry confirms it still leads (see
 * {@link io.sluice.broker.replica.LeaderIsolationGuard}).
 * A broker whose data directory has less free space than its floor refuses produces with STORAGE_FULL before
 * appending, and an append that finds the disk full is refused the same way, storing nothing (see
 * {@link StorageGuard}).
 */
public final class ProduceHandler implements RequestHandler {
    static final long DEFAULT_REPLICATION_WAIT_MS = 30_000;

    private final PartitionManager partitions;
    private final StorageGuard storage;

    public ProduceHandler(PartitionManager partitions, StorageGuard storage) {
        this.partitions = partitions;
        this.storage = storage;
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf payload) {
        ProduceRequest request = (ProduceRequest) message;
        if (request.acks != 0 && request.acks != 1 && request.acks != -1) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "acks must be 0, 1 or -1 (all), not " + request.acks);
        }
        if (!payload.isReadable()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "produce request carries no record batch");
        }
        Partition partition = partitions.partition(request.topic, request.partition);
        if (request.acks == -1 && partition.isLeader() && partition.isr().size() < partition.minInsyncReplicas()) {
            throw new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS, partition + " has " + partition.isr().size()
                    + " in-sync replica(s) " + partition.isr() + ", fewer than min.insync.replicas="
                    + partition.minInsyncReplicas());
        }
        if (request.acks == -1 && partition.isLeader() && !partition.leadershipConfirmed()) {
            throw new SluiceException(ErrorCode.NOT_LEADER, "broker " + partitions.brokerId() + " lost its registry"
                    + " connection and cannot be sure it still leads " + partition + " (leader epoch "
                    + partition.leaderEpoch() + "); acks=all writes are refused until it is: refresh routes and retry");
        }
        storage.checkProduce();
        LogAppendInfo info;
        try {
            info = partition.appendAsLeader(payload);
        } catch (SluiceException e) {
            if (e.code() == ErrorCode.STORAGE_FULL) {
                storage.onFull();
            }
            throw e;
        }
        if (ctx.oneway()) {
            return;
        }
        ProduceResponse response = new ProduceResponse();
        response.baseOffset = info.baseOffset();
        response.logAppendTimeMs = info.appendTimeMs();
        response.logStartOffset = partition.log().logStartOffset();
        if (request.acks == -1 && partition.log().highWatermark() <= info.lastOffset()) {
            awaitReplication(ctx, partition, info.lastOffset(), partition.leaderEpoch(), response,
                    replicationWaitMs(request.timeoutMs));
            return;
        }
        ctx.respond(response);
    }

    /** A little under the client's own timeout, so the answer arrives before the client gives up. */
    private static long replicationWaitMs(int requestTimeoutMs) {
        if (requestTimeoutMs <= 0) {
            return DEFAULT_REPLICATION_WAIT_MS;
        }
        return Math.max(1, requestTimeoutMs - Math.min(1_000, requestTimeoutMs / 5));
    }

    private static void awaitReplication(RequestContext ctx, Partition partition, long lastOffset, int epoch,
            ProduceResponse response, long waitMs) {
        Runnable giveUp = HighWatermarkWait.await(partition, lastOffset, epoch, ctx.executor(), waitMs, outcome -> {
            switch (outcome) {
                case REPLICATED -> ctx.respond(response);
                case UNDER_REPLICATED -> ctx.fail(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, "the batch at offset "
                        + lastOffset + " of " + partition + " was appended, but the in-sync set shrank to "
                        + partition.isr() + ", fewer than min.insync.replicas=" + partition.minInsyncReplicas()
                        + ", before it was replicated");
                case DEPOSED -> ctx.fail(ErrorCode.NOT_LEADER, "this broker stopped leading " + partition
                        + " (or lost its registry connection) before the batch was replicated; refresh routes and"
                        + " retry");
                case TIMED_OUT -> ctx.fail(ErrorCode.REQUEST_TIMED_OUT, "the batch at offset " + lastOffset + " of "
                        + partition + " did not reach every in-sync replica " + partition.isr() + " within " + waitMs
                        + " ms");
            }
        });
        ctx.onAbandoned(giveUp);
    }
}
