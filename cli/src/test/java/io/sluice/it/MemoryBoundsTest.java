package io.sluice.it;

import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that never read their answers and clients that never finish their frames, against a broker in its own
 * JVM with a small direct memory limit, while a good producer and consumer keep working: the broker's memory stays
 * bounded, the good clients go on (they get through two seconds' worth of their unabused traffic, waited for within
 * a generous bound; the rates are printed, not asserted), the abusers' connections are closed and the memory is back
 * once they leave.
 */
class MemoryBoundsTest {
    private static final int MAX_DIRECT_MIB = 96;
    private static final int MIB = 1024 * 1024;
    private static final int FRAME_MEMORY_MIB = 32;
    private static final int UNWRITTEN_MIB = 16;
    private static final Pattern ADDRESS = Pattern.compile("address=(\\S+):(\\d+)");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private Standalone cluster;
    private ForkedJvm broker;

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void nonReadingClientsAndUnfinishedFramesNeitherExhaustMemoryNorStarveOthers() throws Exception {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 0));
        broker = ServerJvms.broker(dir, cluster.zookeeperAddress(), 0,
                List.of("-XX:MaxDirectMemorySize=" + MAX_DIRECT_MIB + "m",
                        "-Dlogback.configurationFile=" + Path.of("..", "conf", "logback.xml").toAbsolutePath()),
                "sluice.transport.frame.timeout.ms=4000",
                "sluice.transport.frame.memory.bytes=" + FRAME_MEMORY_MIB * MIB,
                "sluice.transport.max.unwritten.bytes=" + UNWRITTEN_MIB * MIB);
        String ready = broker.awaitReady(120, TimeUnit.SECONDS);
        InetSocketAddress address = address(ready);
        String metrics = ServerJvms.metricsUrl(ready);
        try (Admin admin = Admin.create(new AdminConfig().nameservers(cluster.nameservers()))) {
            admin.createTopic(new NewTopic("good", 2, 1));
            admin.createTopic(new NewTopic("bulk", 1, 1));
        }
        fill("bulk", 2 * MIB);
        assertThat(HostilePeers.fetchAnswerBytes(address, "bulk", 0, 64 * 1024)).as("a fetch answer of the abusers")
                .isGreaterThan(40 * 1024);

        try (GoodTraffic traffic = new GoodTraffic(cluster.nameservers(), "good", 2)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> traffic.consumed() > 10_000);
            traffic.measure(Duration.ofSeconds(3)); // warm up
            GoodTraffic.Rates baseline = traffic.measure(Duration.ofSeconds(5));
            double directBefore = directBytes(metrics);
            double connectionsBefore = connections(metrics);

            GoodTraffic.Rates abused;
            double directPeak;
            double inPeak;
            double outPeak;
            try (HostilePeers peers = new HostilePeers()) {
                peers.nonReadingFetchers(address, 8, 4096, "bulk", 0, 64 * 1024)
                        .partialFrames(address, 30, 16 * MIB - 64, 16 * MIB - 64 * 1024, 3_000);
                await().atMost(Duration.ofSeconds(30)).until(() -> peers.connected() == 38);
                try (Sampler direct = new Sampler(() -> directBytes(metrics));
                     Sampler in = new Sampler(() -> buffered(metrics, "in"));
                     Sampler out = new Sampler(() -> buffered(metrics, "out"))) {
                    Thread.sleep(2_000); // let the abusers fill whatever they can
                    // not starved: the good clients get through two seconds' worth of their own baseline traffic
                    // (a condition waited for, not a rate asserted: rates on a loaded machine say little)
                    long produce = Math.max(10_000, (long) (2 * baseline.produced()));
                    long consume = Math.max(10_000, (long) (2 * baseline.consumed()));
                    long a0 = traffic.acked();
                    long c0 = traffic.consumed();
                    long t0 = System.nanoTime();
                    await("the good clients' traffic while abused").atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofMillis(50))
                            .until(() -> traffic.acked() - a0 >= produce && traffic.consumed() - c0 >= consume);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    abused = new GoodTraffic.Rates((traffic.acked() - a0) / seconds,
                            (traffic.consumed() - c0) / seconds);
                    directPeak = direct.max();
                    inPeak = in.max();
                    outPeak = out.max();
                }
                System.out.println("during abuse: " + transportGauges(metrics));
            }
            System.out.printf("baseline %s; with abusers %s; direct memory %.1f MiB before, peak %.1f MiB; frames"
                    + " being received peak %.1f MiB, answers not written peak %.1f MiB%n", baseline, abused,
                    directBefore / MIB, directPeak / MIB, inPeak / MIB, outPeak / MIB);
            assertThat(directPeak).as("the broker's direct memory").isLessThan(MAX_DIRECT_MIB * 0.9 * MIB);
            assertThat(inPeak).as("frames being received").isLessThanOrEqualTo(FRAME_MEMORY_MIB * MIB);
            assertThat(outPeak).as("answers not yet written (a bound the small connections may pass once more)")
                    .isLessThanOrEqualTo(2.0 * UNWRITTEN_MIB * MIB);

            // the abusers left: their connections are closed (none left in CLOSE-WAIT) and the memory is back
            await().atMost(Duration.ofSeconds(30)).until(() -> connections(metrics) <= connectionsBefore);
            await().atMost(Duration.ofSeconds(30)).until(() -> closeWait(address.getPort()).isEmpty());
            await().atMost(Duration.ofSeconds(30)).until(() -> directBytes(metrics) <= directBefore + 8 * MIB);
            await().atMost(Duration.ofSeconds(30)).until(() -> buffered(metrics, "in") + buffered(metrics, "out")
                    < MIB);
            GoodTraffic.Rates after = traffic.measure(Duration.ofSeconds(2));
            assertThat(after.produced()).as("the producer still works").isPositive();
            assertThat(after.consumed()).as("the consumer still works").isPositive();
        }
    }

    private void fill(String topic, int bytes) {
        // full batches of 16 KiB: a fetch of 64 KiB at offset 0 then brings about 64 KiB
        ProducerConfig config = new ProducerConfig().nameservers(cluster.nameservers()).acks(1).lingerMs(200)
                .batchSize(16 * 1024).maxBlockMs(30_000).deliveryTimeoutMs(60_000);
        String value = "b".repeat(1000);
        try (Producer<String, String> producer = Producer.create(config, Serdes.string(), Serdes.string())) {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int sent = 0; sent < bytes; sent += value.length()) {
                sends.add(producer.send(new ProducerRecord<>(topic, 0, null, value)));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        }
    }

    private static InetSocketAddress address(String readyLine) {
        Matcher m = ADDRESS.matcher(readyLine);
        assertThat(m.find()).as("address in %s", readyLine).isTrue();
        return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }

    private static double directBytes(String metrics) throws IOException, InterruptedException {
        return ServerJvms.sample(ServerJvms.scrape(metrics), "jvm_buffer_memory_used_bytes", "id=\"direct\"")
                .orElseThrow();
    }

    /** The transport's own gauges of the broker, for the test's output. */
    private static String transportGauges(String metrics) throws IOException, InterruptedException {
        StringBuilder sb = new StringBuilder();
        ServerJvms.scrape(metrics).forEach((k, v) -> {
            if ((k.startsWith("sluice_transport_") || k.startsWith("sluice_netty") || k.contains("direct"))
                    && !k.contains("latency") && !k.contains("requests_total")) {
                sb.append(k).append(' ').append(v).append('\n');
            }
        });
        return sb.toString();
    }

    private static double buffered(String metrics, String direction) throws IOException, InterruptedException {
        return ServerJvms.sample(ServerJvms.scrape(metrics), "sluice_transport_buffered_bytes",
                "direction=\"" + direction + "\"").orElseThrow();
    }

    private static double connections(String metrics) throws IOException, InterruptedException {
        Map<String, Double> samples = ServerJvms.scrape(metrics);
        return ServerJvms.sample(samples, "sluice_transport_connections", "side=\"server\"").orElseThrow();
    }

    /** Lines of {@code ss} for TCP connections of the broker's port in CLOSE-WAIT. */
    private static List<String> closeWait(int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-Htn", "state", "close-wait", "( sport = :" + port + " )")
                .redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor(10, TimeUnit.SECONDS);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Samples a value every 250 ms on a thread of its own and keeps the largest. */
    private static final class Sampler implements AutoCloseable {
        interface Source {
            double get() throws Exception;
        }

        private final Thread thread;
        private volatile double max;
        private volatile boolean stopped;

        Sampler(Source source) {
            thread = new Thread(() -> {
                while (!stopped) {
                    try {
                        max = Math.max(max, source.get());
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // the endpoint may be slow to answer under load: the next sample counts
                    }
                }
            }, "sampler");
            thread.setDaemon(true);
            thread.start();
        }

        double max() {
            return max;
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
