package io.sluice.benchmarks.compare;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The wide suite's options and reports, from RESULT lines as the load JVMs print them: the command line chooses the
 * curve and the replicated layout (and refuses a layout the topics of 1,000 cannot make), the Markdown has the wide
 * table and the curve with each system against its own 1,000-partition rate, the JSON has the medians, and the
 * curve is drawn.
 */
class WideReportTest {
    @Test
    void wideRunsOnlyWhenNamedAndTakesItsCurveFromTheCommandLine() {
        CompareSettings defaults = CompareSettings.parse(List.of(), Path.of("out"));
        assertThat(defaults.runs("wide")).isFalse();
        assertThat(defaults.widePoints).containsExactly(8, 100, 1_000, 10_000);
        assertThat(defaults.wideRf3Partitions).isEqualTo(3_000);

        CompareSettings s = CompareSettings.parse(List.of("--suites", "wide", "--partitions", "1000,8,100,1000",
                "--rf3-partitions", "0", "--wide-records", "1000"), Path.of("out"));
        assertThat(s.runs("wide")).isTrue();
        assertThat(s.widePoints).containsExactly(8, 100, 1_000);
        assertThat(s.wideRf3Partitions).isZero();
        assertThat(s.wideRecords).isEqualTo(1_000);
        assertThat(s.messagingArgs("127.0.0.1:1", CompareSettings.wideWorkloads(100)))
                .containsSubsequence("--wide-topic-partitions", "1000")
                .containsSubsequence("--workloads", "wide-produce-100,wide-consume-100");

        assertThatThrownBy(() -> CompareSettings.parse(List.of("--partitions", "8,1500"), Path.of("out")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--partitions: 1500 partitions: above 1000 (one topic) the count must be a multiple of"
                        + " 1000 (topics of 1000 partitions each)");
        assertThatThrownBy(() -> CompareSettings.parse(List.of("--partitions", "0"), Path.of("out")))
                .hasMessageContaining("--partitions must be a whole number from 1");
        assertThatThrownBy(() -> CompareSettings.parse(List.of("--rf3-partitions", "x"), Path.of("out")))
                .hasMessageContaining("--rf3-partitions must be a whole number from 0");
    }

    @Test
    void reportsShowTheWideTableAndTheCurve(@TempDir Path dir) throws Exception {
        CompareSettings s = CompareSettings.parse(List.of("--suites", "wide", "--peers", "kafka", "--partitions",
                "1000,10000", "--rf3-partitions", "3000", "--rounds", "1"), dir);
        Results results = new Results();
        results.add("sluice", 1, List.of(
                "RESULT workload=wide-produce-1000 msgs_per_s=300000.0 mb_per_s=30.0 p50_us=2000 p99_us=9000",
                "RESULT workload=wide-consume-1000 msgs_per_s=900000.0 mb_per_s=90.0",
                "RESULT workload=wide-produce-10000 msgs_per_s=150000.0 mb_per_s=15.0 p50_us=4000 p99_us=19000",
                "RESULT workload=wide-consume-10000 msgs_per_s=270000.0 mb_per_s=27.0"),
                CompareSettings.wideWorkloads(1_000));
        results.add("kafka", 1, List.of(
                "RESULT workload=wide-produce-1000 msgs_per_s=100000.0 mb_per_s=10.0 p50_us=3000 p99_us=8000",
                "RESULT workload=wide-consume-1000 msgs_per_s=1000000.0 mb_per_s=100.0",
                "RESULT workload=wide-produce-10000 error=TimeoutException: no leader"), List.of());
        results.add("sluice", 1, List.of("RESULT workload=wide-rf3-produce-3000 msgs_per_s=60000.0 p50_us=1 p99_us=2"),
                List.of());

        String md = MarkdownReport.render(s, results, Map.of(), Map.of("kafka", "4.3.1"), "bin/sluice-bench compare");
        assertThat(md).contains("Sluice vs Apache Kafka 4.3.1", "Many partitions",
                "| produce 100 B, 1,000 partitions (1 topic), acks=1 | msgs/s | 300,000 | 100,000 | 3.00×"
                        + " | meets 1.5× goal |",
                "| consume them back, 1,000 partitions (1 topic), 1 consumer | msgs/s | 900,000 | 1,000,000 | 0.90×"
                        + " | behind |",
                "| produce 100 B, 10,000 partitions (10 topics of 1,000), acks=1 | msgs/s | 150,000 | failed | – |",
                "| produce 100 B, 3,000 partitions (3 topics of 1,000), 3 brokers, RF 3, min ISR 2, acks=all | msgs/s"
                        + " | 60,000 | failed |",
                "| 10,000 partitions (10 topics of 1,000) | 150,000 | failed | – | 270,000 | failed | – |",
                "Sluice produce at 10,000 partitions: 0.50× of its 1,000-partition rate",
                "Sluice consume at 10,000 partitions: 0.30× of its 1,000-partition rate",
                "Kafka wide-produce-10000 round 1: TimeoutException: no leader")
                .doesNotContain("Settings (every system the same)");

        String json = JsonReport.render(s, results, Map.of(), Map.of());
        assertThat(json).contains("{\"system\": \"sluice\", \"workload\": \"wide-consume-10000\", \"metric\": "
                + "\"msgs_per_s\", \"median\": 270000.000, \"rounds\": 1}", "\"wide-partitions\": \"1000,10000\"");

        Path png = dir.resolve("curve.png");
        CurveChart.write(PartitionCurve.of(s, results), "curve", png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(RatioChart.bars(s, results)).extracting(RatioChart.Bar::label)
                .contains("1,000 partitions produce msgs/s vs Kafka", "1,000 partitions consume msgs/s vs Kafka");
    }
}
