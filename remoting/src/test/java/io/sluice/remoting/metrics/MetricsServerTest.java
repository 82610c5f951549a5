package io.sluice.remoting.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.Empty;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.RemotingServer;
import io.sluice.remoting.transport.TransportConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsServerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesRegisteredMetersAndJvmMetrics() throws Exception {
        PrometheusMeterRegistry registry = MeterRegistries.prometheus("broker");
        registry.counter("sluice.test.events", "kind", "x").increment(3);
        try (MetricsServer server = new MetricsServer(registry).start("127.0.0.1", 0)) {
            assertThat(server.address().getPort()).isPositive();
            HttpResponse<String> response = get(server.uri());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("text/plain"));
            assertThat(response.body())
                    .contains("sluice_test_events_total{kind=\"x\",process=\"broker\"} 3.0")
                    .contains("jvm_memory_used_bytes")
                    .contains("jvm_threads_live_threads")
                    .contains("jvm_classes_loaded_classes")
                    .contains("process_uptime_seconds")
                    .contains("system_cpu_count");
            assertThat(get(server.uri().resolve("/other")).statusCode()).isEqualTo(404);
        }
    }

    /** A scraper that accepts gzip (Prometheus does) gets the same text compressed. */
    @Test
    void compressesForAScraperThatAcceptsGzip() throws Exception {
        PrometheusMeterRegistry registry = MeterRegistries.prometheus("broker");
        registry.counter("sluice.test.events", "kind", "x").increment(3);
        try (MetricsServer server = new MetricsServer(registry).start("127.0.0.1", 0)) {
            HttpResponse<byte[]> zipped = HTTP.send(HttpRequest.newBuilder(server.uri())
                    .header("Accept-Encoding", "gzip").timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(zipped.statusCode()).isEqualTo(200);
            assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
            String text;
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertThat(text).contains("sluice_test_events_total{kind=\"x\",process=\"broker\"} 3.0")
                    .contains("jvm_memory_used_bytes");
            assertThat(zipped.body().length).as("compressed size").isLessThan(text.length() / 3);
            assertThat(get(server.uri()).headers().firstValue("Content-Encoding")).as("without Accept-Encoding")
                    .isEmpty();
        }
    }

    @Test
    void transportMetersShowUpPerApi() throws Exception {
        PrometheusMeterRegistry registry = MeterRegistries.prometheus("test");
        TransportConfig config = new TransportConfig().ioThreads(1);
        try (RemotingServer server = new RemotingServer("metered", config, registry)
                .handle(ApiKey.DELETE_TOPIC, (ctx, request, payload) -> ctx.respond(new Empty()))
                .start("127.0.0.1", 0);
             RemotingClient client = new RemotingClient("metered-client", config, registry);
             MetricsServer metrics = new MetricsServer(registry).start("127.0.0.1", 0)) {
            Connection connection = client.connect(server.localAddress()).get(30, TimeUnit.SECONDS);
            connection.request(ApiKey.DELETE_TOPIC, null, null, 30_000).get(30, TimeUnit.SECONDS).close();
            assertThat(connection.request(ApiKey.FETCH, null, null, 30_000)).failsWithin(30, TimeUnit.SECONDS);
            String body = get(metrics.uri()).body();
            assertThat(body)
                    .contains("sluice_transport_requests_total{api=\"DELETE_TOPIC\",name=\"metered\","
                            + "process=\"test\",side=\"server\"} 1.0")
                    .contains("sluice_transport_request_latency_seconds_count{api=\"DELETE_TOPIC\","
                            + "name=\"metered\",process=\"test\",side=\"server\"} 1")
                    .contains("sluice_transport_errors_total{code=\"UNSUPPORTED_API\",name=\"metered\","
                            + "process=\"test\",side=\"server\"} 1.0")
                    .contains("sluice_transport_connections{name=\"metered\",process=\"test\",side=\"server\"} 1.0")
                    .contains("sluice_transport_in_bytes_total{name=\"metered\"")
                    .contains("sluice_transport_connections_closed_total{name=\"metered\",process=\"test\","
                            + "reason=\"idle\",side=\"server\"} 0.0")
                    .contains("sluice_transport_connections_closed_total{name=\"metered-client\",process=\"test\","
                            + "reason=\"silent\",side=\"client\"} 0.0")
                    .as("meters of an api never used").doesNotContain("api=\"PRODUCE\"");
            assertThat(body.lines().filter(l -> l.startsWith("sluice_transport_request_latency_seconds_bucket{")
                    && l.contains("api=\"DELETE_TOPIC\"") && l.contains("side=\"server\"")))
                    .as("latency buckets of one api on one side").hasSize(19);   // 18 bounds and +Inf
        }
        assertThat(registry.find("sluice.transport.requests").meters()).isEmpty(); // removed on close
    }

    @Test
    void aTakenPortIsReported() {
        PrometheusMeterRegistry registry = MeterRegistries.prometheus("test");
        try (MetricsServer first = new MetricsServer(registry).start("127.0.0.1", 0);
             MetricsServer second = new MetricsServer(registry)) {
            int port = first.address().getPort();
            assertThatThrownBy(() -> second.start("127.0.0.1", port))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE))
                    .hasMessageContaining("127.0.0.1:" + port);
        }
    }
}
