package io.sluice.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.sluice.broker.log.ProcessLimits;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sluice.broker.log.LogAppendInfo;
import io.sluice.broker.log.StorageGuard;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionListener;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binds partition events to Micrometer: messages and bytes in from producers and out to consumers per topic,
 * replication bytes in and out apart from them, per-partition gauges of the log's end offset, start offset and size,
 * and the data directory's storage (free bytes, floor, state, refusals). Fast and never throws.
 */
public final class BrokerMetrics implements PartitionListener {
    private final MeterRegistry registry;
    private final Map<String, TopicMeters> topics = new ConcurrentHashMap<>();
    private final Map<Partition, List<Meter>> gauges = new ConcurrentHashMap<>();

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private TopicMeters topic(String topic) {
        TopicMeters m = topics.get(topic);
        return m != null ? m : topics.computeIfAbsent(topic, t -> new TopicMeters(registry, t));
    }

    @Override
    public void onAppend(Partition partition, LogAppendInfo info) {
        TopicMeters m = topic(partition.topic());
        m.messagesIn.increment(info.recordCount());
        m.bytesIn.increment(info.sizeInBytes());
    }

    @Override
    public void onReplicaAppend(Partition partition, LogAppendInfo info) {
        topic(partition.topic()).replicationBytesIn.increment(info.sizeInBytes());
    }

    @Override
    public void onReplicaRead(Partition partition, int bytes) {
        topic(partition.topic()).replicationBytesOut.increment(bytes);
    }

    @Override
    public void onRead(Partition partition, int bytes, int batches, int records) {
        TopicMeters m = topic(partition.topic());
        m.bytesOut.increment(bytes);
        m.batchesOut.increment(batches);
        m.messagesOut.increment(records);
    }

    /**
     * Storage meters: {@code sluice_broker_storage_free_bytes}, {@code sluice_broker_storage_min_free_bytes},
     * {@code sluice_broker_storage_state{state}} (1 for the current state: ok, low_space, full) and
     * {@code sluice_broker_storage_refused_total{reason}} (produces refused under the floor, appends refused on a
     * full disk).
     */
    /**
     * The process's open files and memory maps (from {@code /proc/self}), the partitions its limits let be active at
     * once, and the segments recovered (walked) when logs were opened.
     */
    public void bindProcessLimits(io.sluice.broker.log.LogManager logs) {
        Gauge.builder("sluice.broker.open.files", ProcessLimits::openFiles)
                .description("File descriptors the broker process holds open").register(registry);
        Gauge.builder("sluice.broker.memory.maps", ProcessLimits::memoryMaps)
                .description("Memory maps of the broker process (vm.max_map_count bounds them)").register(registry);
        Gauge.builder("sluice.broker.partitions.capacity", ProcessLimits::partitionsCapacity)
                .description("Partitions that can be active at once under the open-files and map-count limits")
                .register(registry);
        Gauge.builder("sluice.broker.partition.logs", logs, l -> l.logCount())
                .description("Partition logs this broker has loaded").register(registry);
        Gauge.builder("sluice.broker.log.open.segments", logs, l -> l.openSegments().count())
                .description("Segments holding their files and maps open").register(registry);
        Gauge.builder("sluice.broker.log.open.segments.limit", logs, l -> l.openSegments().limit())
                .description("Segments that may hold files open at once before the least recently used close "
                        + "(sluice.broker.log.max.open.segments)").register(registry);
        FunctionCounter.builder("sluice.broker.log.segment.evictions", logs, l -> l.openSegments().evictions())
                .description("Segments whose files were closed to stay within the open-segments limit")
                .register(registry);
        Gauge.builder("sluice.broker.log.recovered.segments", logs, l -> l.recoveredSegments())
                .description("Segments walked to recover logs at start-up (0 after a clean shutdown)")
                .register(registry);
    }

    public void bindStorage(StorageGuard storage) {
        Gauge.builder("sluice.broker.storage.free", storage, StorageGuard::freeBytes).baseUnit("bytes")
                .tag("dir", storage.dataDir().toString())
                .description("bytes free on the file system of the data directory (as last measured)")
                .register(registry);
        Gauge.builder("sluice.broker.storage.min.free", storage, StorageGuard::minFreeBytes).baseUnit("bytes")
                .description("free bytes under which produces are refused (sluice.broker.storage.min.free.bytes)")
                .register(registry);
        for (StorageGuard.State state : StorageGuard.State.values()) {
            Gauge.builder("sluice.broker.storage.state", storage, g -> g.state() == state ? 1 : 0)
                    .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
                    .description("1 for the storage state the broker is in: ok, low_space (produces refused), full")
                    .register(registry);
        }
        FunctionCounter.builder("sluice.broker.storage.refused", storage, StorageGuard::refusedLowSpace)
                .tag("reason", "low_space")
                .description("writes refused with STORAGE_FULL: produces under the free-space floor, appends on a"
                        + " full disk").register(registry);
        FunctionCounter.builder("sluice.broker.storage.refused", storage, StorageGuard::refusedFull)
                .tag("reason", "full")
                .description("writes refused with STORAGE_FULL: produces under the free-space floor, appends on a"
                        + " full disk").register(registry);
    }

    @Override
    public void onHosted(Partition p) {
        Tags tags = Tags.of("topic", p.topic(), "partition", Integer.toString(p.id()));
        List<Meter> meters = new ArrayList<>(3);
        meters.add(Gauge.builder("sluice.log.end.offset", p, x -> x.log().logEndOffset()).tags(tags)
                .description("offset after the last record of the partition's log").register(registry));
        meters.add(Gauge.builder("sluice.log.start.offset", p, x -> x.log().logStartOffset()).tags(tags)
                .description("first offset still in the partition's log").register(registry));
        meters.add(Gauge.builder("sluice.log.size", p, x -> x.log().sizeInBytes()).tags(tags).baseUnit("bytes")
                .description("bytes of the partition's log on disk").register(registry));
        gauges.put(p, meters);
    }

    @Override
    public void onRemoved(Partition p) {
        List<Meter> meters = gauges.remove(p);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    private static final class TopicMeters {
        final Counter messagesIn;
        final Counter bytesIn;
        final Counter bytesOut;
        final Counter messagesOut;
        final Counter batchesOut;
        final Counter replicationBytesIn;
        final Counter replicationBytesOut;

        TopicMeters(MeterRegistry registry, String topic) {
            messagesIn = Counter.builder("sluice.broker.messages.in").tag("topic", topic)
                    .description("records appended by producers").register(registry);
            bytesIn = Counter.builder("sluice.broker.in").tag("topic", topic).baseUnit("bytes")
                    .description("record batch bytes appended by producers").register(registry);
            messagesOut = Counter.builder("sluice.broker.messages.out").tag("topic", topic)
                    .description("records served to consumers (whole batches, so a first batch may start before the"
                            + " fetch offset)").register(registry);
            bytesOut = Counter.builder("sluice.broker.out").tag("topic", topic).baseUnit("bytes")
                    .description("record batch bytes served to consumers").register(registry);
            batchesOut = Counter.builder("sluice.broker.batches.out").tag("topic", topic)
                    .description("record batches served to consumers").register(registry);
            replicationBytesIn = Counter.builder("sluice.broker.replication.in").tag("topic", topic)
                    .baseUnit("bytes").description("record batch bytes this follower appended from its leaders")
                    .register(registry);
            replicationBytesOut = Counter.builder("sluice.broker.replication.out").tag("topic", topic)
                    .baseUnit("bytes").description("record batch bytes this leader served to its followers")
                    .register(registry);
        }
    }
}
