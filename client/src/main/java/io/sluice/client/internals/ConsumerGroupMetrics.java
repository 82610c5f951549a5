package io.sluice.client.internals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * The group side's Micrometer meters of one consumer, tagged {@code client} and {@code group}: rebalances this
 * member went through (count and latency, from the start of its re-join to the new assignment,
 * {@code sluice.consumer.rebalance}), and offset commits (count and latency until the coordinator acknowledged them,
 * i.e. until the offsets topic's in-sync replicas have them, {@code sluice.consumer.commit}; failures
 * {@code sluice.consumer.commit.failed}). A no-op without a registry. Thread-safe.
 */
final class ConsumerGroupMetrics {
    /** Meters that record nothing (no registry). */
    static final ConsumerGroupMetrics NONE = new ConsumerGroupMetrics(null, null, null);

    private final Timer rebalances;
    private final Timer commits;
    private final Counter commitFailures;

    ConsumerGroupMetrics(MeterRegistry registry, String clientId, String groupId) {
        if (registry == null) {
            rebalances = null;
            commits = null;
            commitFailures = null;
            return;
        }
        rebalances = Timer.builder("sluice.consumer.rebalance").tag("client", clientId).tag("group", groupId)
                .description("rebalances this member completed, from the start of its re-join to its new assignment")
                .register(registry);
        commits = Timer.builder("sluice.consumer.commit").tag("client", clientId).tag("group", groupId)
                .description("offset commits acknowledged by the coordinator (replicated to the in-sync replicas)")
                .register(registry);
        commitFailures = Counter.builder("sluice.consumer.commit.failed").tag("client", clientId)
                .tag("group", groupId).description("offset commits that failed").register(registry);
    }

    void rebalanced(long nanos) {
        if (rebalances != null) {
            rebalances.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void committed(long nanos) {
        if (commits != null) {
            commits.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void commitFailed() {
        if (commitFailures != null) {
            commitFailures.increment();
        }
    }
}
