package io.sluice.broker.group;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.sluice.broker.log.FetchData;
import io.sluice.broker.log.PartitionLog;
import io.sluice.broker.partition.Partition;
import io.sluice.remoting.record.Record;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.record.RecordBatchBuilder;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The committed offsets of the groups coordinated through one partition of the offsets topic, for one leader
 * epoch of that partition: rebuilt from the partition's log when this broker becomes its leader, then kept current
 * by {@link #commit}, which appends to the log before it updates the cache (so an acknowledged commit is in the
 * log). Thread-safe (synchronized).
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

    /** Reads the whole log of {@code partition} (an offsets-topic partition this broker leads). */
    static OffsetCache load(Partition partition) {
        OffsetCache cache = new OffsetCache(partition, partition.leaderEpoch());
        PartitionLog log = partition.log();
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
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
                    batch.forEachRecord(view, r -> cache.apply(r.key(), r.value()));
                    pos += batch.sizeInBytes();
                }
                offset = data.nextOffset();
            }
        }
        return cache;
    }

    private void apply(byte[] key, byte[] value) {
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
            byGroup.computeIfAbsent(k.group(), g -> new TreeMap<>()).put(k.partition(), v);
        }
    }

    Partition partition() {
        return partition;
    }

    int leaderEpoch() {
        return leaderEpoch;
    }

    /**
     * Appends the offsets to the log as one batch, then caches them. Throws the log's error (nothing cached) if
     * the append fails, e.g. NOT_LEADER when leadership moved.
     */
    synchronized void commit(String group, Map<TopicPart, Long> offsets, long nowMs) {
        if (offsets.isEmpty()) {
            return;
        }
        ByteBuf buf = Unpooled.buffer(64 + offsets.size() * 64);
        try {
            RecordBatchBuilder builder = new RecordBatchBuilder(buf, nowMs);
            for (Map.Entry<TopicPart, Long> e : offsets.entrySet()) {
                builder.append(nowMs, OffsetRecords.key(group, e.getKey()), OffsetRecords.value(e.getValue(), nowMs));
            }
            builder.close();
            partition.appendAsLeader(buf);
        } finally {
            buf.release();
        }
        TreeMap<TopicPart, long[]> cached = byGroup.computeIfAbsent(group, g -> new TreeMap<>());
        offsets.forEach((tp, offset) -> cached.put(tp, new long[] {offset, nowMs}));
    }

    /** A copy of the group's committed offsets: partition -> {offset, commitTimeMs}. */
    synchronized Map<TopicPart, long[]> offsets(String group) {
        TreeMap<TopicPart, long[]> cached = byGroup.get(group);
        return cached == null ? Map.of() : new TreeMap<>(cached);
    }

    /** Groups that have committed offsets here. */
    synchronized Set<String> groups() {
        return Set.copyOf(byGroup.keySet());
    }
}
