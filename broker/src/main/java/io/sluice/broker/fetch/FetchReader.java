package io.sluice.broker.fetch;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.sluice.broker.log.FetchData;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionListener;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.FetchedPartition;
import io.sluice.remoting.record.RecordBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the partitions of one fetch, each on its own: a partition that is unknown, not led here, fenced or asked at
 * an offset out of range gets its error in its entry and the others are served. Byte limits as Kafka's: each
 * partition returns at most its own limit and all together at most the request's, except that the first partition
 * with records returns at least one whole batch, so a batch larger than the limits still gets through. A later
 * partition whose first batch does not fit what is left returns nothing this time (it is read first in a later
 * fetch: sessions move served partitions to the end, sessionless fetches start at a rotating partition). An answer
 * within 1/{@value #FULL_FRACTION} of its byte limit is full: the partitions after it are not read, as each would
 * cost a lookup to return a sliver at most (with thousands of partitions behind a full answer, those lookups
 * cost more than the reads that filled it). Stateless; thread-safe.
 */
public final class FetchReader {
    private static final int TRIM_SLACK_BYTES = 16 * 1024;
    static final int FULL_FRACTION = 256;

    private final PartitionManager partitions;
    private final PartitionListener listener;

    public FetchReader(PartitionManager partitions, PartitionListener listener) {
        this.partitions = partitions;
        this.listener = listener;
    }

    /**
     * For a follower's fetch: notes each partition's fetch offset (the follower's log end) with its leader, which
     * may move the high watermark. Partitions that fail the follower checks are skipped (their error is answered
     * when read).
     */
    public void followerFetched(List<FetchSession.Entry> entries, int replicaId, long nowMs) {
        for (FetchSession.Entry e : entries) {
            try {
                Partition p = partitions.partition(e.topic, e.partition);
                checkFollower(p, e);
                if (e.fetchOffset <= p.log().logEndOffset()) {
                    p.followerFetched(replicaId, e.fetchOffset, nowMs);
                }
            } catch (SluiceException ignored) {
                // answered per partition by read()
            }
        }
    }

    /**
     * The partitions of a fetch and what each had readable when looked at: for parking without losing a wake-up.
     * {@link #READY} when the look stopped at the first partition with records ({@code partitions} is then null).
     */
    public record Resolved(List<Partition> partitions, long[] readableEnds, boolean anyReady) {
        /** Some partition has records; the others were not looked at. */
        public static final Resolved READY = new Resolved(null, null, true);

        /** Whether every partition was looked at, so that the fetch may park on them. */
        public boolean complete() {
            return partitions != null;
        }

        /** True if some partition has moved past what it had readable when resolved. */
        public boolean movedSince(boolean follower) {
            for (int i = 0; i < partitions.size(); i++) {
                if (partitions.get(i).readableEnd(follower) != readableEnds[i]) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Looks up every partition of a fetch, or returns null if one has an error to report at once (unknown, not led
     * here, fenced, offset outside the log). {@code anyReady} tells whether some partition has records past its
     * fetch offset; one asked past its readable end but within the log (a consumer ahead of the high watermark)
     * waits like one at its end. With {@code stopAtReady}, returns {@link Resolved#READY} at the first partition
     * with records: a fetch that will be answered at once need not weigh thousands of others first.
     */
    public Resolved resolve(List<FetchSession.Entry> entries, boolean follower, boolean stopAtReady) {
        List<Partition> out = new ArrayList<>(entries.size());
        long[] ends = new long[entries.size()];
        boolean ready = false;
        for (int i = 0; i < entries.size(); i++) {
            FetchSession.Entry e = entries.get(i);
            Partition p;
            try {
                p = partitions.partition(e.topic, e.partition);
                if (follower) {
                    checkFollower(p, e);
                }
            } catch (SluiceException error) {
                return null;
            }
            if (!p.isLeader() || e.fetchOffset < p.log().logStartOffset() || e.fetchOffset > p.log().logEndOffset()) {
                return null;
            }
            ends[i] = p.readableEnd(follower);
            if (ends[i] > e.fetchOffset) {
                if (stopAtReady) {
                    return Resolved.READY;
                }
                ready = true;
            }
            out.add(p);
        }
        return new Resolved(out, ends, ready);
    }

    /**
     * Reads every entry, starting at {@code start} and wrapping around, within {@code maxBytes} in all; without
     * records when {@code withRecords} is false (the connection is backed up). The caller owns the answer.
     */
    public FetchAnswer read(List<FetchSession.Entry> entries, int start, boolean follower, int maxBytes,
                            boolean withRecords, ByteBufAllocator alloc) {
        int n = entries.size();
        int fullWithin = Math.max(RecordBatch.HEADER_SIZE, maxBytes / FULL_FRACTION);
        FetchAnswer answer = new FetchAnswer(n);
        try {
            for (int i = 0; i < n; i++) {
                FetchSession.Entry e = entries.get((start + i) % n);
                boolean first = answer.bytes() == 0;
                int left = maxBytes - answer.bytes();
                readOne(answer, e, follower, withRecords && (first || left > fullWithin) ? left : 0, first, alloc);
            }
        } catch (RuntimeException | Error t) {
            answer.release();
            throw t;
        }
        return answer;
    }

    private void readOne(FetchAnswer answer, FetchSession.Entry e, boolean follower, int left, boolean first,
                         ByteBufAllocator alloc) {
        FetchedPartition out = new FetchedPartition();
        out.topic = e.topic;
        out.partition = e.partition;
        ByteBuf records = Unpooled.EMPTY_BUFFER;
        try {
            Partition p = partitions.partition(e.topic, e.partition);
            if (follower) {
                checkFollower(p, e);
            }
            out.highWatermark = p.log().highWatermark();
            out.logStartOffset = p.log().logStartOffset();
            out.logEndOffset = p.log().logEndOffset();
            out.leaderEpoch = p.leaderEpoch();
            int limit = Math.min(e.maxBytes, left);
            // after the first partition with records, one whose first batch does not fit what is left returns
            // nothing (it goes first in a later fetch); below a batch header nothing fits, so nothing is looked up
            if (first ? limit > 0 : limit > RecordBatch.HEADER_SIZE) {
                FetchData data = p.read(e.fetchOffset, Math.max(1, limit), first, follower, alloc);
                records = trimmed(alloc, data.records());
                if (records.isReadable() && follower) {
                    listener.onReplicaRead(p, records.readableBytes());
                } else if (records.isReadable()) {
                    listener.onRead(p, records.readableBytes(), data.batchCount(), recordCount(records));
                }
            }
        } catch (SluiceException error) {
            records.release();
            records = Unpooled.EMPTY_BUFFER;
            out.errorCode = error.code().id();
            out.errorMessage = error.getMessage();
            out.highWatermark = -1;
            out.logStartOffset = -1;
            out.logEndOffset = -1;
            out.leaderEpoch = -1;
        }
        out.recordsBytes = records.readableBytes();
        answer.add(e, out, records);
    }

    /**
     * A follower's fetch must name this leader's epoch: an older one means the follower has not yet truncated to
     * this leader's history (FENCED_LEADER_EPOCH), a newer one that this broker has not yet heard of its own new
     * role (NOT_LEADER).
     */
    private static void checkFollower(Partition partition, FetchSession.Entry e) {
        if (!partition.isLeader()) {
            throw new SluiceException(ErrorCode.NOT_LEADER, "this broker does not lead " + partition);
        }
        if (e.leaderEpoch < partition.leaderEpoch()) {
            throw new SluiceException(ErrorCode.FENCED_LEADER_EPOCH, "fetch for " + partition + " names leader epoch "
                    + e.leaderEpoch + " but the current one is " + partition.leaderEpoch());
        }
        if (e.leaderEpoch > partition.leaderEpoch()) {
            throw new SluiceException(ErrorCode.NOT_LEADER, "fetch for " + partition + " names leader epoch "
                    + e.leaderEpoch + ", newer than this broker's " + partition.leaderEpoch());
        }
    }

    /**
     * {@code records}, or a copy of just its bytes when it holds far more memory than it fills (the read buffer is
     * sized for what the log has, the answer may be one small batch): an answer that waits to be written, maybe
     * long, should hold no more than it sends.
     */
    private static ByteBuf trimmed(ByteBufAllocator alloc, ByteBuf records) {
        int readable = records.readableBytes();
        if (records.capacity() - readable <= TRIM_SLACK_BYTES || readable >= records.capacity() / 2) {
            return records;
        }
        if (readable == 0) {
            records.release();
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf copy = alloc.directBuffer(readable, readable);
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
}
