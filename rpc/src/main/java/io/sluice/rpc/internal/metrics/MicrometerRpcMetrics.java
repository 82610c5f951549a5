package io.sluice.rpc.internal.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sluice.remoting.ErrorCode;
import io.sluice.rpc.RpcEventListener;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Binds Micrometer to the RPC events. Meters (tags in braces):
 * <ul>
 *   <li>{@code sluice.rpc.client.calls} timer {service, method, code}: each logical call, latency histogram;
 *       code NONE counts successes, any other code the errors by code;</li>
 *   <li>{@code sluice.rpc.client.in.flight} gauge {service, method};</li>
 *   <li>{@code sluice.rpc.client.provider.calls} timer {provider, code}: each attempt per provider address;</li>
 *   <li>{@code sluice.rpc.client.retries} counter {service, method, decision}: failover decisions;</li>
 *   <li>{@code sluice.rpc.server.calls} timer {service, method, code} and {@code sluice.rpc.server.in.flight}
 *       gauge {service, method} on providers; {@code sluice.rpc.server.rejected} counter {service, code}.</li>
 * </ul>
 * Meters are created on first use and cached without allocating on later events. Thread-safe; never throws.
 */
public final class MicrometerRpcMetrics implements RpcEventListener {
    private static final ErrorCode[] CODES = ErrorCode.values();

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, MethodMeters>> client = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, MethodMeters>> server = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetSocketAddress, AtomicReferenceArray<Timer>> providers =
            new ConcurrentHashMap<>();

    public MicrometerRpcMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void callStart(String service, String method) {
        meters(client, "sluice.rpc.client", service, method).inFlight.incrementAndGet();
    }

    @Override
    public void callEnd(String service, String method, ErrorCode code, long durationNs) {
        MethodMeters m = meters(client, "sluice.rpc.client", service, method);
        m.inFlight.decrementAndGet();
        m.timer(code).record(durationNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void attemptEnd(String service, String method, InetSocketAddress provider, ErrorCode code,
                           long durationNs) {
        if (provider == null) {
            return;
        }
        AtomicReferenceArray<Timer> timers = providers.computeIfAbsent(provider,
                p -> new AtomicReferenceArray<>(CODES.length));
        Timer t = timers.get(code.ordinal());
        if (t == null) {
            t = histogram(Timer.builder("sluice.rpc.client.provider.calls")
                    .tag("provider", provider.getHostString() + ":" + provider.getPort()).tag("code", code.name()));
            timers.set(code.ordinal(), t);
        }
        t.record(durationNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void retryDecision(String service, String method, int attempt, ErrorCode cause, boolean retry,
                              String reason) {
        Counter.builder("sluice.rpc.client.retries").tag("service", service).tag("method", method)
                .tag("decision", retry ? "retry" : "give-up").register(registry).increment();
    }

    @Override
    public void serverCallStart(String service, String method) {
        meters(server, "sluice.rpc.server", service, method).inFlight.incrementAndGet();
    }

    @Override
    public void serverCallEnd(String service, String method, ErrorCode code, long durationNs) {
        MethodMeters m = meters(server, "sluice.rpc.server", service, method);
        m.inFlight.decrementAndGet();
        m.timer(code).record(durationNs, TimeUnit.NANOSECONDS);
    }

    @Override
    public void serverCallRejected(String service, ErrorCode code) {
        Counter.builder("sluice.rpc.server.rejected").tag("service", String.valueOf(service))
                .tag("code", code.name()).register(registry).increment();
    }

    private MethodMeters meters(ConcurrentHashMap<String, ConcurrentHashMap<String, MethodMeters>> side,
                                String prefix, String service, String method) {
        ConcurrentHashMap<String, MethodMeters> byMethod = side.get(service);
        if (byMethod == null) {
            byMethod = side.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
        }
        MethodMeters m = byMethod.get(method);
        if (m == null) {
            m = byMethod.computeIfAbsent(method, k -> new MethodMeters(prefix, service, method));
        }
        return m;
    }

    private Timer histogram(Timer.Builder builder) {
        return builder.publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(20_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** The meters of one service method on one side. */
    private final class MethodMeters {
        private final String prefix;
        private final String service;
        private final String method;
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicReferenceArray<Timer> byCode = new AtomicReferenceArray<>(CODES.length);

        MethodMeters(String prefix, String service, String method) {
            this.prefix = prefix;
            this.service = service;
            this.method = method;
            Gauge.builder(prefix + ".in.flight", inFlight, AtomicInteger::get).tag("service", service)
                    .tag("method", method).register(registry);
        }

        Timer timer(ErrorCode code) {
            Timer t = byCode.get(code.ordinal());
            if (t == null) {
                t = histogram(Timer.builder(prefix + ".calls").tag("service", service).tag("method", method)
                        .tag("code", code.name()));
                byCode.set(code.ordinal(), t);
            }
            return t;
        }
    }
}
