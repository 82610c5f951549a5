package io.sluice.benchmarks.compare;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sluice-bench compare --quick} end to end: Sluice, a real Kafka broker (and, for the replicated workloads,
 * a Sluice cluster of ZooKeeper, a nameserver and three brokers, and a three-node Kafka cluster), Dubbo and gRPC
 * providers, each in JVMs of their own on 127.0.0.1, every workload tiny; and the wide suite on one point of two
 * topics of 20 partitions (without its replicated workload, which would start two more clusters with the servers
 * and the wide producer tested here). The peers are built (Maven) on first use, so this is the test that makes
 * {@code mvn verify} resolve them. Checks the table, the JSON and the charts are written with every workload for
 * every system, every server listened on loopback only, and no process is left running.
 */
class CompareQuickTest {
    @Test
    @Timeout(value = 25, unit = TimeUnit.MINUTES) // the peers are built on first use; a loaded machine builds slowly
    void quickRunReportsEveryWorkloadForEverySystem(@TempDir Path out) throws Exception {
        CompareMain.Outcome outcome = CompareMain.run(List.of("--quick", "--suites", "messaging,replicated,rpc,wide",
                "--rf3-partitions", "0", "--out", out.toString()));

        String md = Files.readString(outcome.markdown());
        assertThat(outcome.failures()).as(md).isZero();
        for (Row row : Row.all()) {
            assertThat(md).contains("| " + row.label() + " | " + row.unit() + " | ");
        }
        assertThat(md).contains("| produce 100 B, 40 partitions (2 topics of 20), acks=1 | msgs/s | ",
                "| consume them back, 40 partitions (2 topics of 20), 1 consumer | msgs/s | ",
                "| 40 partitions (2 topics of 20) | ");
        assertThat(md).contains("Sluice/Kafka", "Sluice/Dubbo", "Sluice/gRPC").doesNotContain("failed");

        String json = Files.readString(outcome.json());
        for (String workload : CompareSettings.MESSAGING_WORKLOADS) {
            for (String system : List.of("sluice", "kafka")) {
                assertThat(json).contains("{\"system\": \"" + system + "\", \"workload\": \"" + workload
                        + "\", \"round\": 1, \"metrics\": {");
            }
        }
        for (String workload : CompareSettings.REPLICATED_WORKLOADS) {
            for (String system : List.of("sluice", "kafka")) {
                assertThat(json).contains("{\"system\": \"" + system + "\", \"workload\": \"" + workload
                        + "\", \"round\": 1, \"metrics\": {");
            }
        }
        for (String system : List.of("sluice", "kafka")) {
            // 5,000 timed after 1,000 warm-up records, all 6,000 read back
            assertThat(json).contains("{\"system\": \"" + system + "\", \"workload\": \"wide-produce-40\", "
                    + "\"round\": 1, \"metrics\": {\"records\": 5000.000", "{\"system\": \"" + system
                    + "\", \"workload\": \"wide-consume-40\", \"round\": 1, \"metrics\": {\"records\": 6000.000");
        }
        for (String op : CompareSettings.RPC_OPS) {
            for (String system : List.of("sluice", "dubbo", "grpc")) {
                assertThat(json).contains("{\"system\": \"" + system + "\", \"workload\": \"rpc-" + op
                        + "\", \"round\": 1, \"metrics\": {\"threads\": 32");
            }
        }
        assertThat(json).contains("\"failures\": [\n  ]");

        BufferedImage chart = ImageIO.read(outcome.chart().toFile());
        assertThat(chart).isNotNull();
        assertThat(chart.getWidth()).isEqualTo(1000);
        assertThat(ImageIO.read(outcome.curve().toFile()).getWidth()).isEqualTo(1000);

        try (Stream<Path> files = Files.walk(outcome.directory().resolve("logs"))) {
            List<Path> listening = files.filter(p -> p.toString().endsWith("-listening.txt")).toList();
            assertThat(listening).as("Sluice standalone, Kafka, Sluice's ZooKeeper, nameserver and 3 brokers, "
                    + "3 Kafka nodes, 3 RPC providers, Sluice standalone and Kafka of the wide suite").hasSize(15);
            for (Path p : listening) {
                for (String address : Files.readAllLines(p)) {
                    assertThat(address).as(p.toString()).startsWith("127.0.0.1:");
                }
            }
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList())
                .as("processes the harness left running").isEmpty();
    }
}
