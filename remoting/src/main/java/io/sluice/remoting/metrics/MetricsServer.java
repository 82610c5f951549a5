package io.sluice.remoting.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

/**
 * Serves the meters of a {@link PrometheusMeterRegistry} as Prometheus text on {@code GET /metrics}, with the JDK's
 * built-in HTTP server on one daemon thread; gzip-compressed when the scraper accepts it (Prometheus does). {@link #start} also binds the JVM's meters (memory, GC, threads, class
 * loading, processor, uptime) to the registry; {@link #close} unbinds what needs it. Port 0 picks a free port.
 * Thread-safe.
 */
public final class MetricsServer implements AutoCloseable {
    public static final String PATH = "/metrics";
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> binders = new ArrayList<>();
    private HttpServer http;
    private ExecutorService executor;

    public MetricsServer(PrometheusMeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Binds JVM meters and starts serving; PORT_IN_USE if the port is taken. */
    public synchronized MetricsServer start(String host, int port) {
        if (http != null) {
            throw new IllegalStateException("metrics server already started on " + address());
        }
        try {
            http = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (BindException e) {
            throw new SluiceException(ErrorCode.PORT_IN_USE, "metrics port " + host + ":" + port
                    + " already in use; choose another port", e);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.NETWORK_ERROR, "cannot serve metrics on " + host + ":" + port + ": "
                    + e, e);
        }
        bindJvmMetrics();
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-metrics-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/", this::serve);
        http.start();
        LOG.info("serving metrics on {}", uri());
        return this;
    }

    private void bindJvmMetrics() {
        JvmGcMetrics gc = new JvmGcMetrics();
        binders.add(gc);
        for (MeterBinder binder : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(),
                new ClassLoaderMetrics(), new ProcessorMetrics(), new UptimeMetrics(), new NettyMemoryMetrics())) {
            binder.bindTo(registry);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                reply(exchange, 404, "not found; metrics are at " + PATH + "\n");
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, "use GET\n");
                return;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
            if (acceptsGzip(exchange)) {
                try (GZIPOutputStream gzip = new GZIPOutputStream(body, 8192)) {
                    registry.scrape(gzip);
                }
                exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            } else {
                registry.scrape(body);
            }
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(200, head ? -1 : body.size());
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    body.writeTo(out);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("metrics request from {} failed: {}", exchange.getRemoteAddress(), e.toString());
        }
    }

    /** True if the request's Accept-Encoding lists gzip (as Prometheus's scraper's does), without q=0. */
    static boolean acceptsGzip(HttpExchange exchange) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Accept-Encoding", List.of())) {
            for (String coding : header.split(",")) {
                String[] parts = coding.trim().split(";");
                if (parts[0].trim().equalsIgnoreCase("gzip")
                        && !(parts.length > 1 && parts[1].replace(" ", "").matches("q=0(\\.0*)?"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The bound address; null before {@link #start}. */
    public synchronized InetSocketAddress address() {
        return http == null ? null : http.getAddress();
    }

    /** {@code http://host:port/metrics}; null before {@link #start}. */
    public synchronized URI uri() {
        InetSocketAddress a = address();
        return a == null ? null : URI.create("http://" + a.getHostString() + ":" + a.getPort() + PATH);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Stops serving and unbinds the JVM meters that hold resources; the registry itself stays open. */
    @Override
    public synchronized void close() {
        if (http != null) {
            http.stop(0);
            executor.shutdownNow();
            http = null;
        }
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                LOG.debug("cannot close {}: {}", binder, e.toString());
            }
        }
        binders.clear();
    }
}
