package io.sluice.it;

import io.sluice.broker.server.BrokerConfig;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Committed offsets of a group without members expire after the broker's offsets retention, are tombstoned so a
 * restarted coordinator (rebuilding its cache from the offsets topic) does not bring them back, and the offsets of a
 * group that still has members stay.
 */
class OffsetExpiryTest {
    private static final long RETENTION_MS = 1_500;

    @TempDir
    Path dir;

    private Standalone standalone;

    @AfterEach
    void stop() {
        if (standalone != null) {
            standalone.close();
        }
    }

    private void start(IntFunction<BrokerConfig> brokers) {
        StandaloneSettings base = StandaloneSettings.forTests(dir, 1);
        standalone = Standalone.start(new StandaloneSettings(base.host(), base.dataDir(), 0, -1, 1, base.registry(),
                base.nameserver(), brokers));
    }

    private Admin admin() {
        return Admin.create(new AdminConfig().nameservers(standalone.nameservers()));
    }

    @Test
    void offsetsOfAnEmptyGroupExpireAndStayGoneAfterARestartWhileAnActiveGroupKeepsItsOwn() throws Exception {
        start(i -> new BrokerConfig().port(0).metricsPort(-1).offsetsRetentionMs(RETENTION_MS)
                .offsetsRetentionCheckIntervalMs(100));
        Map<TopicPartition, Long> offsets = Map.of(new TopicPartition("t", 0), 7L, new TopicPartition("t", 1), 9L);
        try (Admin admin = admin()) {
            admin.createTopic(new NewTopic("t", 2, 1));
        }
        // the "alive" group has its member before its offsets are committed (by that member), so that no slow join
        // leaves it empty for a retention period
        try (Consumer<String, String> member = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()).groupId("alive").enableAutoCommit(false), Serdes.string(),
                Serdes.string())) {
            member.subscribe(List.of("t"));
            long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (member.assignment().size() != 2 && System.nanoTime() < joinDeadline) {
                member.poll(Duration.ofMillis(100));
            }
            assertThat(member.assignment()).as("the alive group's member owns both partitions").hasSize(2);
            member.commitSync(offsets);
            try (Admin admin = admin()) {
                admin.alterGroupOffsets("gone", offsets);
                long start = System.nanoTime();
                Awaitility.await("offsets of the empty group expiring").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100)).until(() -> admin.listGroupOffsets("gone").isEmpty());
                System.out.printf("MEASURE offsets expiry: gone %d ms after the commit (retention %d ms, checks"
                        + " every 100 ms)%n", (System.nanoTime() - start) / 1_000_000, RETENTION_MS);
                // older than the retention by now, and watched for one more retention period: they stay
                Awaitility.await("a group with members keeping its offsets, however old")
                        .during(Duration.ofMillis(RETENTION_MS)).atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> admin.listGroupOffsets("alive").equals(offsets));
                assertThat(member.assignment()).as("the alive group kept its member").hasSize(2);
            }
            // the broker stops while the member is still in the group (a member leaving would start the retention)
            standalone.close();
            standalone = null;
        }
        start(i -> new BrokerConfig().port(0).metricsPort(-1));
        try (Admin admin = admin()) {
            assertThat(admin.listGroupOffsets("gone")).as("the tombstones keep them gone after a rebuild").isEmpty();
            assertThat(admin.listGroupOffsets("alive")).isEqualTo(offsets);
        }
    }
}
