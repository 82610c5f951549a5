package io.sluice.broker.group;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.sluice.broker.log.FetchData;
import io.sluice.broker.log.LeaderEpochCache;
import io.sluice.broker.log.PartitionLog;
import io.sluice.broker.partition.Partition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.record.RecordBatchBuilder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The committed offsets of the groups coordinated through one partition of the offsets topic, for one leader
 * epoch of that partition. It is rebuilt from the partition's log up to the high watermark once this broker leads
 * the partition and the high watermark has reached the start of its epoch (everything an earlier leader
 * acknowledged is then below it), and kept current by {@link #append} and {@link #applyReplicated}: a commit is
 * appended to the log, and cached (so visible to offset fetches) only once the in-sync replicas have it. Each
 * cached offset remembers the log offset of its record, so a late replication callback never overwrites a newer
 * commit.
 *
 * <p>The offsets topic is not compacted: its log is deleted by time retention like any topic's. So that an offset
 * nobody commits again (an idle group's, a partition a group no longer reads) is not lost with its segment,
 * {@link #rewriteOlderThan} writes such offsets again, unchanged and with their commit time, once their record is
 * half the retention old; the log then always holds every live offset in its retained part. Thread-safe
 * (synchronized).
 */
final class OffsetCache {
    private static final int READ_CHUNK_BYTES = 1 << 20;

    private final Partition partition;
    private final int leaderEpoch;
    private final Map<String, TreeMap<TopicPart, long[]>> byGroup = new HashMap<>();
    /** Commits appended and not yet {@link #commitDone done}, per group: their offsets are not rewritten meanwhile. */
    private final Map<String, Integer> inFlight = new HashMap<>();

    private OffsetCache(Partition partition, int leaderEpoch) {
        this.partition = partition;
        this.leaderEpoch = leaderEpoch;
    }

    /**
     * True if {@code partition} (led by this broker) can be loaded: its high watermark has reached the start offset
     * of the current leader epoch, so every commit an earlier leader acknowledged is readable.
     */
    static boolean readyToLoad(Partition partition) {
        LeaderEpochCache.EpochEntry entry = partition.log().leaderEpochCache().latestEntry();
        long epochStart = entry != null && entry.epoch() == partition.leaderEpoch() ? entry.startOffset()
                : partition.log().logEndOffset();
        return partition.log().highWatermark() >= epochStart;
    }

    /** Reads the log of {@code partition} (an offsets-topic partition this broker leads) up to its high watermark. */
    static OffsetCache load(Partition partition) {
        OffsetCache cache = new OffsetCache(partition, partition.leaderEpoch());
        PartitionLog log = partition.log();
        long offset = log.logStartOffset();
        long end = Math.min(log.highWatermark(), log.logEndOffset());
        RecordBatch batch = new RecordBatch();
        Record view = new Record();
        while (offset < end) {
            try (FetchData data = log.read(offset, READ_CHUNK_BYTES, end, UnpooledByteBufAllocator.DEFAULT)) {
                if (data.isEmpty()) {
                    break;
                }
                ByteBuf buf = data.records();
                int pos = buf.readerIndex();
                while (pos < buf.writerIndex()) {
                    batch.wrap(buf, pos);
                    batch.forEachRecord(view, r -> {
                        if (r.offset() < end) {
                            cache.apply(r.key(), r.value(), r.offset(), r.timestamp());
                        }
                    });
                    pos += batch.sizeInBytes();
                }
                offset = data.nextOffset();
            }
        }
        return cache;
    }

    private void apply(byte[] key, byte[] value, long logOffset, long recordTimeMs) {
        OffsetRecords.Key k = OffsetRecords.parseKey(key);
        if (k == null) {
            return;
        }
        long[] v = OffsetRecords.parseValue(value);
        if (v == null) {
            TreeMap<TopicPart, long[]> offsets = byGroup.get(k.group());
            if (offsets != null) {
                offsets.remove(k.partition());
                if (offsets.isEmpty()) {
                    byGroup.remove(k.group());
                }
            }
        } else {
            byGroup.computeIfAbsent(k.group(), g -> new TreeMap<>())
                    .put(k.partition(), new long[] {v[0], v[1], logOffset, recordTimeMs});
        }
    }

    Partition partition() {
        return partition;
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    /**
     * Appends the offsets to the log as one batch and returns the log offset of its last record; nothing is cached
     * until {@link #applyReplicated}. The caller must call {@link #commitDone} once the commit has ended either way.
     * Throws COORDINATOR_NOT_AVAILABLE while fewer replicas are in sync than the partition's min.insync.replicas (the
     * commit could not be made durable), or the log's error, e.g. NOT_LEADER when leadership moved.
     */
    synchronized long append(String group, Map<TopicPart, Long> offsets, long nowMs) {
        if (partition.isr().size() < partition.minInsyncReplicas()) {
            throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, partition + " has " + partition.isr().size()
                    + " in-sync replica(s) " + partition.isr() + ", fewer than min.insync.replicas="
                    + partition.minInsyncReplicas() + ": commits of group " + group + " cannot be made durable now");
        }
        ByteBuf buf = Unpooled.buffer(64 + offsets.size() * 64);
        try {
            RecordBatchBuilder builder = new RecordBatchBuilder(buf, nowMs);
            for (Map.Entry<TopicPart, Long> e : offsets.entrySet()) {
                builder.append(nowMs, OffsetRecords.key(group, e.getKey()), OffsetRecords.value(e.getValue(), nowMs));
            }
            builder.close();
            long last = partition.appendAsLeader(buf).lastOffset();
            inFlight.merge(group, 1, Integer::sum);
            return last;
        } finally {
            buf.release();
        }
    }

    /** A commit {@link #append appended} for {@code group} was applied or failed. */
    synchronized void commitDone(String group) {
        inFlight.computeIfPresent(group, (g, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * Appends again, unchanged (same offset and commit time), every cached offset whose latest record was written
     * before {@code recordedBeforeMs}, for groups with no commit in flight (a newer commit must stay the newest
     * record); returns how many were written. Nothing is written while fewer replicas than min.insync.replicas are
     * in sync. Throws the log's error if an append fails (what was written before stays).
     */
    synchronized int rewriteOlderThan(long recordedBeforeMs, long nowMs) {
        if (partition.isr().size() < partition.minInsyncReplicas()) {
            return 0;
        }
        int written = 0;
        for (Map.Entry<String, TreeMap<TopicPart, long[]>> g : byGroup.entrySet()) {
            if (inFlight.containsKey(g.getKey())) {
                continue;
            }
            List<Map.Entry<TopicPart, long[]>> stale = new ArrayList<>();
            for (Map.Entry<TopicPart, long[]> e : g.getValue().entrySet()) {
                long[] v = e.getValue();
                if (v[0] >= 0 && v.length > 3 && v[3] < recordedBeforeMs) {
                    stale.add(e);
                }
            }
            if (stale.isEmpty()) {
                continue;
            }
            ByteBuf buf = Unpooled.buffer(64 + stale.size() * 64);
            long last;
            try {
                RecordBatchBuilder builder = new RecordBatchBuilder(buf, nowMs);
                for (Map.Entry<TopicPart, long[]> e : stale) {
                    builder.append(nowMs, OffsetRecords.key(g.getKey(), e.getKey()),
                            OffsetRecords.value(e.getValue()[0], e.getValue()[1]));
                }
                builder.close();
                last = partition.appendAsLeader(buf).lastOffset();
            } finally {
                buf.release();
            }
            for (Map.Entry<TopicPart, long[]> e : stale) {
                long[] v = e.getValue();
                e.setValue(new long[] {v[0], v[1], last, nowMs});
            }
            written += stale.size();
        }
        return written;
    }

    /**
     * Caches offsets whose batch (ending at log offset {@code lastLogOffset}) the in-sync replicas now have. An
     * offset cached from a later record is kept.
     */
    synchronized void applyReplicated(String group, Map<TopicPart, Long> offsets, long nowMs, long lastLogOffset) {
        TreeMap<TopicPart, long[]> cached = byGroup.computeIfAbsent(group, g -> new TreeMap<>());
        offsets.forEach((tp, offset) -> {
            long[] old = cached.get(tp);
            if (old == null || old[2] < lastLogOffset) {
                cached.put(tp, new long[] {offset, nowMs, lastLogOffset, nowMs});
            }
        });
    }

    /** A copy of the group's committed offsets: partition -> {offset, commitTimeMs, logOffset, recordTimeMs}. */
    synchronized Map<TopicPart, long[]> offsets(String group) {
        TreeMap<TopicPart, long[]> cached = byGroup.get(group);
        if (cached == null) {
            return Map.of();
        }
        TreeMap<TopicPart, long[]> out = new TreeMap<>();
        cached.forEach((tp, v) -> {
            if (v[0] >= 0) {
                out.put(tp, v);
            }
        });
        return out;
    }

    /** Groups that have committed offsets here. */
    synchronized Set<String> groups() {
        Set<String> out = new HashSet<>();
        byGroup.forEach((group, offsets) -> {
            for (long[] v : offsets.values()) {
                if (v[0] >= 0) {
                    out.add(group);
                    break;
                }
            }
        });
        return out;
    }

    /**
     * Deletes the group's committed offsets of {@code parts} (see {@link OffsetExpirer}): appends a tombstone for
     * each to the log, then leaves in the cache an expiry marker {-1, nowMs, tombstoneLogOffset} in their place, so a
     * commit appended before the tombstone whose replication completes later does not bring an offset back (it is
     * older than the marker, see {@link #applyReplicated}). Markers are invisible to {@link #offsets} and
     * {@link #groups}, and dropped by {@link #forgetExpiredMarkers} once no such commit can still complete. Does
     * nothing and returns false while a commit of the group is in flight (its offsets are not old). Throws the log's
     * error (nothing changed) if the append fails.
     */
    synchronized boolean expire(String group, List<TopicPart> parts, long nowMs) {
        if (parts.isEmpty() || inFlight.containsKey(group)) {
            return false;
        }
        ByteBuf buf = Unpooled.buffer(64 + parts.size() * 64);
        long tombstoneOffset;
        try {
            RecordBatchBuilder builder = new RecordBatchBuilder(buf, nowMs);
            for (TopicPart tp : parts) {
                builder.append(nowMs, OffsetRecords.key(group, tp), null);
            }
            builder.close();
            tombstoneOffset = partition.appendAsLeader(buf).lastOffset();
        } finally {
            buf.release();
        }
        TreeMap<TopicPart, long[]> cached = byGroup.get(group);
        for (TopicPart tp : parts) {
            long[] old = cached == null ? null : cached.get(tp);
            if (old != null && old[2] < tombstoneOffset) {
                cached.put(tp, new long[] {-1, nowMs, tombstoneOffset});
            }
        }
        return true;
    }

    /** Drops expiry markers older than a minute (far beyond the commit replication timeout). */
    synchronized void forgetExpiredMarkers(long nowMs) {
        byGroup.values().forEach(offsets -> offsets.values().removeIf(v -> v[0] < 0 && nowMs - v[1] > 60_000));
        byGroup.values().removeIf(Map::isEmpty);
    }
}
