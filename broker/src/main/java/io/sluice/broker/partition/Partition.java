package io.sluice.broker.partition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.broker.log.FetchData;
import io.sluice.broker.log.LogAppendInfo;
import io.sluice.broker.log.PartitionLog;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.List;

/**
 * One partition hosted by this broker: its log, its role (leader or follower of which broker, in which epoch),
 * the in-sync replicas as the registry last said, and, while leading, what each follower has (its
 * {@link ReplicaProgress}), from which the high watermark follows: the smallest log end among the in-sync replicas.
 * Fetches and acks=all produces waiting for data or for the high watermark park here.
 *
 * <p>Leadership is acted on only while it is confirmed: this broker leads, the broker's {@link LeaderLease} is held
 * (its registry connection is sound) and the partition is not {@link #fence() fenced} (set when the connection
 * dropped, cleared once the registry was re-read and still names this broker as leader in this epoch). An
 * unconfirmed leader keeps its log and serves reads up to its high watermark, but neither moves the high watermark
 * nor acknowledges acks=all writes.
 *
 * <p>Appends are serialized by the log; role changes come from one registry thread; reads, follower updates and
 * leadership checks are safe from any thread. High-watermark moves are serialized on this object.
 */
public final class Partition {
    private final String topic;
    private final int id;
    private final int brokerId;
    private final PartitionLog log;
    private final ParkedFetches parked;
    private final ParkedFetches waitingForHw = new ParkedFetches();
    private final ReplicaProgress progress = new ReplicaProgress();
    private final PartitionListener listener;
    private final LeaderLease lease;
    private volatile boolean leader;
    private volatile boolean fenced;
    private volatile int leaderId = -1;
    private volatile int leaderEpoch;
    private volatile List<Integer> replicas = List.of();
    private volatile List<Integer> isr = List.of();
    private volatile int stateVersion = -1;
    private volatile int minInsyncReplicas = 1;

    /** A partition whose leadership is always confirmed (no registry session to lose). */
    public Partition(String topic, int id, int brokerId, PartitionLog log, PartitionListener listener) {
        this(topic, id, brokerId, log, listener, new LeaderLease());
    }

    public Partition(String topic, int id, int brokerId, PartitionLog log, PartitionListener listener,
            LeaderLease lease) {
        this.lease = lease;
        this.topic = topic;
        this.id = id;
        this.brokerId = brokerId;
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

    /**
     * True while this broker leads and may act on it: its registry lease is held and the partition is not fenced.
     * Only then are acks=all writes acknowledged and the high watermark moved.
     */
    public boolean leadershipConfirmed() {
        return leader && !fenced && lease.held();
    }

    /** True from {@link #fence()} until the leadership is confirmed again (or a new leader epoch is applied). */
    public boolean isFenced() {
        return fenced;
    }

    /**
     * Stops acting on the leadership until {@link #unfence} confirms it: the high watermark stays where it is and
     * acks=all produces waiting for it are woken (to fail with a retriable error).
     */
    public void fence() {
        synchronized (this) {
            fenced = true;
        }
        waitingForHw.wakeAll();
    }

    /**
     * Lifts the fence if this broker still leads in {@code epoch} (what the registry was just read to say) and the
     * lease is held; returns whether the leadership is now confirmed.
     */
    public synchronized boolean unfence(int epoch) {
        if (!leader || leaderEpoch != epoch || !lease.held()) {
            return false;
        }
        if (fenced) {
            fenced = false;
            maybeAdvanceHighWatermark();
        }
        return true;
    }

    /** Broker id of the leader as the registry last said (-1 if none). */
    public int leaderId() {
        return leaderId;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public List<Integer> replicas() {
        return replicas;
    }

    /** The in-sync replicas as the registry last said (or this leader last wrote). */
    public List<Integer> isr() {
        return isr;
    }

    /** Registry version of the partition state the role and in-sync set came from. */
    public int stateVersion() {
        return stateVersion;
    }

    public int minInsyncReplicas() {
        return minInsyncReplicas;
    }

    public ParkedFetches parked() {
        return parked;
    }

    /** What the followers have, as seen by this broker while it leads. */
    public ReplicaProgress progress() {
        return progress;
    }

    /**
     * Applies the partition state the registry holds: leader, epoch, replicas, in-sync set and its version. On
     * becoming leader (or a new epoch) the epoch is recorded at the log end and follower progress starts afresh;
     * parked requests are woken on every role change so that they re-check it.
     */
    public synchronized void applyState(int newLeaderId, int epoch, List<Integer> newReplicas, List<Integer> newIsr,
            int version, int minIsr) {
        boolean nowLeader = newLeaderId == brokerId;
        boolean roleChanged = nowLeader != leader || epoch != leaderEpoch;
        this.replicas = List.copyOf(newReplicas);
        this.isr = List.copyOf(newIsr);
        this.stateVersion = version;
        this.minInsyncReplicas = Math.max(1, minIsr);
        if (nowLeader && roleChanged) {
            log.leaderEpochCache().assign(epoch, log.logEndOffset());
            progress.reset(newReplicas, brokerId, System.currentTimeMillis());
            // a leadership applied while the lease is held comes from the registry as it is now; one applied
            // while it is not must be confirmed after the reconnect like every other
            fenced = !lease.held();
        }
        this.leaderId = newLeaderId;
        this.leaderEpoch = epoch;
        this.leader = nowLeader;
        if (nowLeader) {
            maybeAdvanceHighWatermark();
        }
        if (roleChanged) {
            parked.wakeAll();
            waitingForHw.wakeAll();
        }
    }

    /** Sets the in-sync set this leader wrote to the registry (ahead of the registry's notification). */
    public synchronized void isrWritten(List<Integer> newIsr, int newVersion) {
        if (newVersion > stateVersion) {
            this.isr = List.copyOf(newIsr);
            this.stateVersion = newVersion;
            maybeAdvanceHighWatermark();
        }
    }

    /**
     * Appends a producer's batch as leader, under the rule of its {@code acks} (as Kafka's appendRecordsToLeader):
     * with acks=all ({@code -1}) the in-sync set must hold at least {@code min.insync.replicas} replicas
     * (NOT_ENOUGH_REPLICAS) and this broker must be sure it still leads, its registry session confirmed
     * (NOT_LEADER); acks 0 and 1 need only leadership. The caller keeps ownership of {@code batch}.
     *
     * @throws SluiceException NOT_LEADER, NOT_ENOUGH_REPLICAS, or the log's own errors
     */
    public LogAppendInfo appendAsLeader(ByteBuf batch, short acks) {
        if (acks == -1 && leader) {
            List<Integer> inSync = isr;
            if (inSync.size() < minInsyncReplicas()) {
                throw new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS, this + " has " + inSync.size()
                        + " in-sync replica(s) " + inSync + ", fewer than min.insync.replicas=" + minInsyncReplicas());
            }
            if (!leadershipConfirmed()) {
                throw new SluiceException(ErrorCode.NOT_LEADER, "broker " + brokerId + " lost its registry"
                        + " connection and cannot be sure it still leads " + this + " (leader epoch " + leaderEpoch
                        + "); acks=all writes are refused until it is: refresh routes and retry");
            }
        }
        return appendAsLeader(batch);
    }

    /**
     * Appends a batch as leader (acks 1). The caller keeps ownership of {@code batch}.
     *
     * @throws SluiceException NOT_LEADER when this broker does not lead the partition, or the log's own errors
     */
    public LogAppendInfo appendAsLeader(ByteBuf batch) {
        if (!leader) {
            throw new SluiceException(ErrorCode.NOT_LEADER,
                    "this broker does not lead " + topic + "-" + id + "; refresh routes");
        }
        LogAppendInfo info = log.appendAsLeader(batch, leaderEpoch);
        if (isr.size() <= 1) {
            maybeAdvanceHighWatermark();
        }
        listener.onAppend(this, info);
        parked.wakeAll();
        return info;
    }

    /**
     * Notes a follower's fetch at {@code fetchOffset} (its log end) and advances the high watermark if it can.
     * Ignored unless this broker leads.
     */
    public void followerFetched(int replicaId, long fetchOffset, long nowMs) {
        if (!leader) {
            return;
        }
        if (progress.update(replicaId, fetchOffset, log.logEndOffset(), nowMs) && isr.contains(replicaId)) {
            maybeAdvanceHighWatermark();
        }
    }

    /**
     * Moves the high watermark to the smallest log end of the in-sync replicas, if that is higher, and wakes waiters;
     * only while the leadership is {@link #leadershipConfirmed() confirmed}.
     */
    public synchronized void maybeAdvanceHighWatermark() {
        if (!leader || fenced || !lease.held()) {
            return;
        }
        long min = log.logEndOffset();
        for (int replica : isr) {
            if (replica != brokerId) {
                long leo = progress.logEnd(replica);
                if (leo < 0) {
                    return; // not heard from since this broker became leader
                }
                min = Math.min(min, leo);
            }
        }
        if (min > log.highWatermark()) {
            log.highWatermark(min);
            parked.wakeAll();
            waitingForHw.wakeAll();
        }
    }

    /** Requests waiting for the high watermark to move (acks=all produces). */
    public ParkedFetches waitingForHighWatermark() {
        return waitingForHw;
    }

    /**
     * Appends batches fetched from the leader of {@code epoch}, if this broker still follows in that epoch, and
     * takes the leader's high watermark (bounded by the own log end). Returns false (appending nothing) if the
     * role moved on meanwhile. The caller keeps ownership of {@code batches}.
     */
    public synchronized boolean appendAsFollower(ByteBuf batches, long leaderHighWatermark, int epoch) {
        if (leader || leaderEpoch != epoch) {
            return false;
        }
        if (batches != null && batches.isReadable()) {
            LogAppendInfo info = log.appendAsFollower(batches);
            listener.onReplicaAppend(this, info);
        }
        log.highWatermark(Math.min(leaderHighWatermark, log.logEndOffset()));
        return true;
    }

    /**
     * Cuts the log at {@code offset} (or, if the leader's log starts past it, empties it to start at
     * {@code leaderLogStart}) while this broker follows in {@code epoch}; false if the role moved on.
     */
    public synchronized boolean truncateAsFollower(long offset, long leaderLogStart, int epoch) {
        if (leader || leaderEpoch != epoch) {
            return false;
        }
        if (offset < log.logEndOffset()) {
            log.truncateTo(Math.max(0, offset));
        }
        if (log.logEndOffset() < leaderLogStart) {
            log.truncateFullyAndStartAt(leaderLogStart);
        }
        return true;
    }

    /**
     * Reads for a consumer (up to the high watermark) or a follower (up to the log end), at least one batch when
     * one is there. The caller owns the returned data.
     */
    public FetchData read(long offset, int maxBytes, boolean follower, ByteBufAllocator alloc) {
        return read(offset, maxBytes, true, follower, alloc);
    }

    /**
     * Reads for a consumer (up to the high watermark) or a follower (up to the log end); a first batch larger than
     * {@code maxBytes} only if {@code minOneBatch} (see {@link PartitionLog#read(long, int, boolean, long,
     * ByteBufAllocator)}). The caller owns the returned data.
     */
    public FetchData read(long offset, int maxBytes, boolean minOneBatch, boolean follower, ByteBufAllocator alloc) {
        if (!leader) {
            throw new SluiceException(ErrorCode.NOT_LEADER,
                    "this broker does not lead " + topic + "-" + id + "; refresh routes");
        }
        long upTo = follower ? log.logEndOffset() : log.highWatermark();
        return log.read(offset, maxBytes, minOneBatch, upTo, alloc);
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
