package io.sluice.client.internals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * The consumer's Micrometer meters, updated per poll and per fetch (never per record): records returned and
 * fetch latency. A no-op without a registry. Thread-safe.
 */
final class ConsumerMetrics {
    private final Counter consumed;
    private final Timer fetchLatency;

    ConsumerMetrics(MeterRegistry registry, String clientId) {
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

    void fetched(long latencyNs) {
        if (fetchLatency != null) {
            fetchLatency.record(latencyNs, TimeUnit.NANOSECONDS);
        }
    }
}
