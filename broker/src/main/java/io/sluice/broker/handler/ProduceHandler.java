package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.sluice.broker.log.LogAppendInfo;
import io.sluice.broker.log.StorageGuard;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.RateLimitedLog;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ProducePartition;
import io.sluice.remoting.protocol.ProducePartitionResult;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Appends a producer's record batches, one per entry of the request, each to the partition it names, on the
 * connection's I/O thread (an append is a copy into the memory-mapped log; each batch is a slice of the request
 * payload, never re-encoded). Every partition is handled on its own: one that is unknown, not led here, whose batch
 * is over the topic's max.message.bytes or corrupt, or that finds the storage full gets its error in its result
 * while the others are appended. The whole request is refused (INVALID_REQUEST, nothing appended) only when it is
 * malformed: bad acks, no entries, or entry lengths that do not add up to the payload.
 *
 * <p>acks=0 requests arrive oneway and get no answer (a failed partition is logged in one rate-limited line);
 * acks=1 is answered once every partition was appended or refused; acks=all (-1) refuses a partition with
 * NOT_ENOUGH_REPLICAS while fewer than min.insync.replicas are in sync, and otherwise answers once the high watermark
 * of every appended partition passes its batch ({@link ReplicationWaits}; per-partition REQUEST_TIMED_OUT, NOT_LEADER
 * or NOT_ENOUGH_REPLICAS_AFTER_APPEND when that does not happen). A waiting request whose connection closes stops
 * waiting at once. A leader whose registry connection dropped refuses acks=all with NOT_LEADER before appending,
 * until the registry confirms it still leads (see {@link io.sluice.broker.replica.LeaderIsolationGuard}).
 * A broker whose data directory has less free space than its floor refuses partitions with STORAGE_FULL before
 * appending, and an append that finds the disk full is refused the same way, storing nothing (see
 * {@link StorageGuard}).
 */
public final class ProduceHandler implements RequestHandler {
    static final long DEFAULT_REPLICATION_WAIT_MS = 30_000;
    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);
    private static final RateLimitedLog ONEWAY_FAILURES = RateLimitedLog.of(LOG);

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
        List<ProducePartition> entries = request.partitions;
        checkLayout(entries, payload);
        int count = entries.size();
        ProducePartitionResult[] results = new ProducePartitionResult[count];
        ReplicationWaits waits = null;
        int at = payload.readerIndex();
        for (int i = 0; i < count; i++) {
            ProducePartition entry = entries.get(i);
            ByteBuf batch = payload.slice(at, entry.batchBytes);
            at += entry.batchBytes;
            ProducePartitionResult result = new ProducePartitionResult();
            result.topic = entry.topic;
            result.partition = entry.partition;
            results[i] = result;
            try {
                Partition partition = partitions.partition(entry.topic, entry.partition);
                LogAppendInfo info = append(partition, batch, request.acks);
                result.baseOffset = info.baseOffset();
                result.logAppendTimeMs = info.appendTimeMs();
                result.logStartOffset = partition.log().logStartOffset();
                if (request.acks == -1 && !ctx.oneway() && partition.log().highWatermark() <= info.lastOffset()) {
                    if (waits == null) {
                        waits = new ReplicationWaits(ctx, results, replicationWaitMs(request.timeoutMs));
                    }
                    waits.add(i, partition, info.lastOffset(), partition.leaderEpoch());
                }
            } catch (RuntimeException e) {
                refused(ctx, result, e);
            }
        }
        if (ctx.oneway()) {
            return;
        }
        if (waits == null) {
            ctx.respond(response(results));
        } else {
            waits.start();
        }
    }

    /**
     * Refuses, before anything is appended, a request whose entries do not describe its payload: the lengths must
     * be those of whole batches and add up to the payload, so that no partition is handed another's bytes.
     */
    private static void checkLayout(List<ProducePartition> entries, ByteBuf payload) {
        int payloadBytes = payload.readableBytes();
        if (entries == null || entries.isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "produce request names no partition (payload of "
                    + payloadBytes + " bytes)");
        }
        int max = ProduceRequest.maxPartitions(payloadBytes);
        if (entries.size() > max) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "produce request names " + entries.size()
                    + " partitions but its payload of " + payloadBytes + " bytes holds at most " + max + " batches");
        }
        long sum = 0;
        for (int i = 0; i < entries.size(); i++) {
            ProducePartition entry = entries.get(i);
            if (entry == null || entry.batchBytes < RecordBatch.HEADER_SIZE) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "entry " + i + " of the produce request "
                        + (entry == null ? "is empty" : "(" + entry.topic + "-" + entry.partition + ") claims a batch of "
                        + entry.batchBytes + " bytes, less than a batch header (" + RecordBatch.HEADER_SIZE + ")"));
            }
            sum += entry.batchBytes;
        }
        if (sum != payloadBytes) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "the " + entries.size() + " batch lengths of the"
                    + " produce request add up to " + sum + " bytes but its payload holds " + payloadBytes);
        }
    }

    private LogAppendInfo append(Partition partition, ByteBuf batch, short acks) {
        storage.checkProduce();
        try {
            return partition.appendAsLeader(batch, acks);
        } catch (SluiceException e) {
            if (e.code() == ErrorCode.STORAGE_FULL) {
                storage.onFull();
            }
            throw e;
        }
    }

    private static void refused(RequestContext ctx, ProducePartitionResult result, RuntimeException e) {
        SluiceException error = SluiceException.from(e);
        result.errorCode = error.code().id();
        result.errorMessage = error.getMessage();
        if (error.code() == ErrorCode.UNKNOWN) {
            ONEWAY_FAILURES.warn("unexpected", "produce to {}-{} from {} failed", result.topic, result.partition,
                    ctx.remoteAddress(), e);
        } else if (ctx.oneway()) {
            ONEWAY_FAILURES.warn(error.code().name(), "acks=0 produce to {}-{} from {} refused: {}", result.topic,
                    result.partition, ctx.remoteAddress(), error.toString());
        }
    }

    static ProduceResponse response(ProducePartitionResult[] results) {
        ProduceResponse response = new ProduceResponse();
        response.partitions = new ArrayList<>(Arrays.asList(results));
        return response;
    }

    /** A little under the client's own timeout, so the answer arrives before the client gives up. */
    private static long replicationWaitMs(int requestTimeoutMs) {
        if (requestTimeoutMs <= 0) {
            return DEFAULT_REPLICATION_WAIT_MS;
        }
        return Math.max(1, requestTimeoutMs - Math.min(1_000, requestTimeoutMs / 5));
    }
}
