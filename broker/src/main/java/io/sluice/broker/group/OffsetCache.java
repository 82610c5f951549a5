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
 * commit. Thread-safe (synchronized).
 */
final class OffsetCache {
    private static final int READ_CHUNK_BYTES = 1 << 20;

    private final Partition partition;
    private final int leaderEpoch;
    private final Map<String, TreeMap<TopicPart, long[]>> byGroup = new HashMap<>();

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
                            cache.apply(r.key(), r.value(), r.offset());
                        }
                    });
                    pos += batch.sizeInBytes();
                }
                offset = data.nextOffset();
            }
        }
        return cache;
    }

    private void apply(byte[] key, byte[] value, long logOffset) {
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
                    .put(k.partition(), new long[] {v[0], v[1], logOffset});
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
     * until {@link #applyReplicated}. Throws COORDINATOR_NOT_AVAILABLE while fewer replicas are in sync than the
     * partition's min.insync.replicas (the commit could not be made durable), or the log's error, e.g. NOT_LEADER
     * when leadership moved.
     */
    long append(String group, Map<TopicPart, Long> offsets, long nowMs) {
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
            return partition.appendAsLeader(buf).lastOffset();
        } finally {
            buf.release();
        }
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
                cached.put(tp, new long[] {offset, nowMs, lastLogOffset});
            }
        });
    }

    /** A copy of the group's committed offsets: partition -> {offset, commitTimeMs, logOffset}. */
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
     * {@link #groups}, and dropped by {@link #forgetExpiredMarkers} once no such commit can still complete. Throws the
     * log's error (nothing changed) if the append fails.
     */
    synchronized void expire(String group, List<TopicPart> parts, long nowMs) {
        if (parts.isEmpty()) {
            return;
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
    }

    /** Drops expiry markers older than a minute (far beyond the commit replication timeout). */
    synchronized void forgetExpiredMarkers(long nowMs) {
        byGroup.values().forEach(offsets -> offsets.values().removeIf(v -> v[0] < 0 && nowMs - v[1] > 60_000));
        byGroup.values().removeIf(Map::isEmpty);
    }
}
