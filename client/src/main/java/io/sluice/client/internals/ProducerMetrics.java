package io.sluice.client.internals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * The producer's Micrometer meters, updated once per batch or request (never per record): records sent and failed,
 * retries, batch sizes, request latency, requests and batches per request. A no-op without a registry. Thread-safe.
 */
final class ProducerMetrics {
    private final Counter recordsSent;
    private final Counter recordErrors;
    private final Counter retries;
    private final DistributionSummary batchBytes;
    private final Timer latency;
    private final Counter requests;
    private final DistributionSummary batchesPerRequest;

    ProducerMetrics(MeterRegistry registry, String clientId) {
        if (registry == null) {
            recordsSent = null;
            recordErrors = null;
            retries = null;
            batchBytes = null;
            latency = null;
            requests = null;
            batchesPerRequest = null;
            return;
        }
        recordsSent = Counter.builder("sluice.producer.records.sent").tag("client", clientId)
                .description("records acknowledged (or written, with acks=0)").register(registry);
        recordErrors = Counter.builder("sluice.producer.record.errors").tag("client", clientId)
                .description("records whose send failed for good").register(registry);
        retries = Counter.builder("sluice.producer.retries").tag("client", clientId)
                .description("produce requests retried").register(registry);
        batchBytes = DistributionSummary.builder("sluice.producer.batch.size").baseUnit("bytes")
                .tag("client", clientId).description("bytes per record batch").register(registry);
        latency = Timer.builder("sluice.producer.request.latency").tag("client", clientId)
                .description("time from sending a produce request to its answer").register(registry);
        requests = Counter.builder("sluice.producer.requests").tag("client", clientId)
                .description("produce requests sent (each carries the batches of many partitions)").register(registry);
        batchesPerRequest = DistributionSummary.builder("sluice.producer.request.batches").baseUnit("batches")
                .tag("client", clientId).description("record batches (partitions) per produce request")
                .register(registry);
    }

    void requestSent(int batches) {
        if (requests != null) {
            requests.increment();
            batchesPerRequest.record(batches);
        }
    }

    void batchSent(int records, int bytes, long latencyNs) {
        if (recordsSent != null) {
            recordsSent.increment(records);
            batchBytes.record(bytes);
            latency.record(latencyNs, TimeUnit.NANOSECONDS);
        }
    }

    void batchFailed(int records) {
        if (recordErrors != null) {
            recordErrors.increment(records);
        }
    }

    void retry() {
        if (retries != null) {
            retries.increment();
        }
    }
}
