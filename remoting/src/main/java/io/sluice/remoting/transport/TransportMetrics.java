package io.sluice.remoting.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.metrics.LatencyBuckets;
import io.sluice.remoting.protocol.ApiKey;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * Micrometer meters of one server or client, all tagged {@code side} (server/client) and {@code name}:
 * {@code sluice.transport.connections} (gauge), {@code sluice.transport.requests} (counter, tag {@code api}),
 * {@code sluice.transport.request.latency} (timer, tag {@code api}), {@code sluice.transport.errors} (counter,
 * tag {@code code}), {@code sluice.transport.in} / {@code .out} (byte counters); for servers also
 * {@code sluice.transport.buffered.bytes} (gauge, tag {@code direction}: {@code in} frames being received,
 * {@code out} answers not yet written), {@code sluice.transport.queued.requests} (gauge: read, not yet answered),
 * {@code sluice.transport.paused.connections} (gauge: not being read, see {@link ReadGate}) and
 * {@code sluice.transport.connections.closed} (counter, tag {@code reason}: connections the transport closed itself,
 * by the liveness rules of {@link HeartbeatHandler} or for a stalled write; the liveness reason of the side is
 * created up front). The meters of an api are created when its first request is handled or sent (an idle server
 * exports none for the dozens of apis it never sees), then found in an array; error counters and other close
 * reasons are created on first use too. Latencies go into the fixed {@link LatencyBuckets}.
 * {@link #NOOP} records nothing. Thread-safe.
 */
class TransportMetrics {
    static final TransportMetrics NOOP = new TransportMetrics();

    private final MeterRegistry registry;
    private final Tags tags;
    private final AtomicReferenceArray<Counter> requests;
    private final AtomicReferenceArray<Timer> latency;
    private final AtomicReferenceArray<Counter> errors;
    private final ConcurrentHashMap<String, Counter> closed = new ConcurrentHashMap<>();
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final List<Meter> meters = new ArrayList<>();

    private TransportMetrics() {
        this.registry = null;
        this.tags = Tags.empty();
        this.requests = null;
        this.latency = null;
        this.errors = null;
        this.bytesIn = null;
        this.bytesOut = null;
    }

    private TransportMetrics(MeterRegistry registry, String side, String name, Supplier<Number> connections) {
        this.registry = registry;
        this.tags = Tags.of("side", side, "name", name);
        this.requests = new AtomicReferenceArray<>(ApiKey.values().length);
        this.latency = new AtomicReferenceArray<>(ApiKey.values().length);
        this.errors = new AtomicReferenceArray<>(ErrorCode.values().length);
        this.bytesIn = keep(Counter.builder("sluice.transport.in").tags(tags).baseUnit("bytes")
                .description("bytes received").register(registry));
        this.bytesOut = keep(Counter.builder("sluice.transport.out").tags(tags).baseUnit("bytes")
                .description("bytes sent").register(registry));
        keep(Gauge.builder("sluice.transport.connections", connections).tags(tags)
                .description("open connections").register(registry));
        String reason = side.equals("server") ? HeartbeatHandler.IDLE : HeartbeatHandler.SILENT;
        closed.put(reason, closedCounter(reason));
    }

    /** Creates (once; registering again returns the same meters) the meters of {@code key}; returns its timer. */
    private Timer createApiMeters(ApiKey key) {
        Tags apiTags = tags.and("api", key.name());
        Counter counter = Counter.builder("sluice.transport.requests").tags(apiTags)
                .description("requests handled (server) or sent (client)").register(registry);
        Timer timer = Timer.builder("sluice.transport.request.latency").tags(apiTags)
                .description("time from request to answer")
                .serviceLevelObjectives(LatencyBuckets.bounds())
                .register(registry);
        if (requests.compareAndSet(key.ordinal(), null, counter)) {
            keep(counter);
        }
        if (latency.compareAndSet(key.ordinal(), null, timer)) {
            keep(timer);
        }
        return timer;
    }

    private Counter closedCounter(String reason) {
        return keep(Counter.builder("sluice.transport.connections.closed").tags(tags.and("reason", reason))
                .description("connections the transport closed itself, by reason").register(registry));
    }

    /** Meters in {@code registry}, or {@link #NOOP} when it is null. */
    static TransportMetrics create(MeterRegistry registry, String side, String name, Supplier<Number> connections) {
        return registry == null ? NOOP : new TransportMetrics(registry, side, name, connections);
    }

    private <M extends Meter> M keep(M meter) {
        synchronized (meters) {
            meters.add(meter);
        }
        return meter;
    }

    boolean enabled() {
        return registry != null;
    }

    /** A request of {@code key} was answered after {@code nanos}; {@code code} is NONE on success. */
    void onRequest(ApiKey key, ErrorCode code, long nanos) {
        if (registry == null) {
            return;
        }
        int i = key.ordinal();
        Timer timer = latency.get(i);
        if (timer == null) {
            timer = createApiMeters(key);
        }
        requests.get(i).increment();
        timer.record(nanos, TimeUnit.NANOSECONDS);
        if (code != ErrorCode.NONE) {
            onError(code);
        }
    }

    void onError(ErrorCode code) {
        if (registry == null) {
            return;
        }
        Counter counter = errors.get(code.ordinal());
        if (counter == null) {
            counter = keep(Counter.builder("sluice.transport.errors").tags(tags.and("code", code.name()))
                    .description("error answers and protocol violations").register(registry));
            errors.set(code.ordinal(), counter);
        }
        counter.increment();
    }

    /** Gauges of what the connections of a server hold, read from {@code budget}. */
    void bindBudget(ServerBudget budget) {
        if (registry == null) {
            return;
        }
        keep(Gauge.builder("sluice.transport.buffered.bytes", budget.frames(), f -> f.used())
                .tags(tags.and("direction", "in")).baseUnit("bytes")
                .description("bytes of frames being received in pieces").register(registry));
        keep(Gauge.builder("sluice.transport.buffered.bytes", budget, ServerBudget::unwrittenBytes)
                .tags(tags.and("direction", "out")).baseUnit("bytes")
                .description("bytes of answers produced and not yet written").register(registry));
        keep(Gauge.builder("sluice.transport.queued.requests", budget, ServerBudget::queuedRequests).tags(tags)
                .description("requests read and not yet answered").register(registry));
        keep(Gauge.builder("sluice.transport.paused.connections", budget, b -> b.paused().get()).tags(tags)
                .description("connections not being read until their bounds allow").register(registry));
    }

    /** The transport closed a connection itself, for {@code reason} (a short snake_case word). */
    void onClosed(String reason) {
        if (registry == null) {
            return;
        }
        closed.computeIfAbsent(reason, this::closedCounter).increment();
    }

    void onBytesIn(int bytes) {
        if (registry != null) {
            bytesIn.increment(bytes);
        }
    }

    void onBytesOut(int bytes) {
        if (registry != null) {
            bytesOut.increment(bytes);
        }
    }

    /** Removes every meter of this server or client from the registry. */
    void close() {
        if (registry != null) {
            synchronized (meters) {
                for (Meter meter : meters) {
                    registry.remove(meter);
                }
                meters.clear();
            }
        }
    }
}
