package io.sluice.client.internals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.sluice.client.TopicPartition;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import java.util.concurrent.TimeUnit;

/**
 * The consumer's Micrometer meters, updated per poll and per fetch (never per record): records returned and
 * fetch latency; and, per assigned partition, the lag ({@code sluice.consumer.records.lag}, tagged client, group
 * if any, topic and partition: the partition's high watermark at the last fetch minus the position, as Kafka's
 * records-lag), read when the registry is scraped. A no-op without a registry. Thread-safe.
 */
final class ConsumerMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter consumed;
    private final Timer fetchLatency;
    private final Map<TopicPartition, Gauge> lag = new ConcurrentHashMap<>();

    ConsumerMetrics(MeterRegistry registry, String clientId) {
        this(registry, clientId, null);
    }

    ConsumerMetrics(MeterRegistry registry, String clientId, String groupId) {
        this.registry = registry;
        this.tags = groupId == null ? Tags.of("client", clientId) : Tags.of("client", clientId, "group", groupId);
        if (registry == null) {
            consumed = null;
            fetchLatency = null;
            return;
        }
        consumed = Counter.builder("sluice.consumer.records.consumed").tag("client", clientId)
                .description("records returned by poll").register(registry);
        fetchLatency = Timer.builder("sluice.consumer.fetch.latency").tag("client", clientId)
                .description("time from sending a fetch to its answer, long-poll wait included").register(registry);
    }

    void consumed(int records) {
        if (consumed != null) {
            consumed.increment(records);
        }
    }

    /** Starts the lag gauge of a newly assigned partition. */
    void assigned(PartitionFetchState state) {
        if (registry == null) {
            return;
        }
        unassigned(state.tp); // a gauge of an earlier assignment would read the old state
        lag.put(state.tp, Gauge.builder("sluice.consumer.records.lag", state, ConsumerMetrics::lagOf)
                .tags(tags).tag("topic", state.tp.topic()).tag("partition", Integer.toString(state.tp.partition()))
                .description("records of the partition after this consumer's position (high watermark - position)")
                .strongReference(true).register(registry));
    }

    /** Removes the lag gauge of a partition no longer assigned. */
    void unassigned(TopicPartition tp) {
        Gauge g = lag.remove(tp);
        if (g != null) {
            registry.remove(g);
        }
    }

    private static double lagOf(PartitionFetchState s) {
        long hw = s.highWatermark;
        long position = s.position;
        return hw < 0 || position < 0 ? Double.NaN : Math.max(0, hw - position);
    }

    void fetched(long latencyNs) {
        if (fetchLatency != null) {
            fetchLatency.record(latencyNs, TimeUnit.NANOSECONDS);
        }
    }
}
