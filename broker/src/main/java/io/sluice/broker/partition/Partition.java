package io.sluice.broker.partition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.broker.log.FetchData;
import io.sluice.broker.log.LogAppendInfo;
import io.sluice.broker.log.PartitionLog;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

/**
 * One partition hosted by this broker: its log, whether this broker leads it and in which epoch, and the fetches
 * parked on it. Appends are serialized by the log; reads and leadership checks are safe from any thread.
 */
public final class Partition {
    private final String topic;
    private final int id;
    private final PartitionLog log;
    private final ParkedFetches parked;
    private volatile boolean leader;
    private volatile int leaderEpoch;
    private volatile int replicationFactor = 1;
    private final PartitionListener listener;

    public Partition(String topic, int id, PartitionLog log, PartitionListener listener) {
        this.topic = topic;
        this.id = id;
        this.log = log;
        this.listener = listener;
        this.parked = new ParkedFetches();
    }

    public String topic() {
        return topic;
    }

    public int id() {
        return id;
    }

    public PartitionLog log() {
        return log;
    }

    public boolean isLeader() {
        return leader;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public ParkedFetches parked() {
        return parked;
    }

    /** Applies the leadership the registry assigns. */
    public void becomeLeaderOrFollower(boolean isLeader, int epoch, int replicas) {
        this.replicationFactor = replicas;
        if (isLeader && (!leader || epoch != leaderEpoch)) {
            log.leaderEpochCache().assign(epoch, log.logEndOffset());
            if (replicas == 1) {
                log.highWatermark(log.logEndOffset());
            }
        }
        this.leaderEpoch = epoch;
        this.leader = isLeader;
    }

    /**
     * Appends a producer's batch as leader. The caller keeps ownership of {@code batch}.
     *
     * @throws SluiceException NOT_LEADER when this broker does not lead the partition, or the log's own errors
     */
    public LogAppendInfo appendAsLeader(ByteBuf batch) {
        if (!leader) {
            throw new SluiceException(ErrorCode.NOT_LEADER,
                    "this broker does not lead " + topic + "-" + id + "; refresh routes");
        }
        LogAppendInfo info = log.appendAsLeader(batch, leaderEpoch);
        if (replicationFactor == 1) {
            log.highWatermark(info.lastOffset() + 1);
        }
        listener.onAppend(this, info);
        parked.wakeAll();
        return info;
    }

    /**
     * Reads for a consumer (up to the high watermark) or a follower (up to the log end).
     * The caller owns the returned data.
     */
    public FetchData read(long offset, int maxBytes, boolean follower, ByteBufAllocator alloc) {
        if (!leader) {
            throw new SluiceException(ErrorCode.NOT_LEADER,
                    "this broker does not lead " + topic + "-" + id + "; refresh routes");
        }
        long upTo = follower ? log.logEndOffset() : log.highWatermark();
        return log.read(offset, maxBytes, upTo, alloc);
    }

    /** The offset a consumer may read up to now. */
    public long readableEnd(boolean follower) {
        return follower ? log.logEndOffset() : log.highWatermark();
    }

    @Override
    public String toString() {
        return topic + "-" + id;
    }
}
