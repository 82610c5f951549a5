package io.sluice.it;

import io.sluice.broker.server.BrokerConfig;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntFunction;

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
            admin.alterGroupOffsets("gone", offsets);
            admin.alterGroupOffsets("alive", offsets);
        }
        try (GroupConsumer member = new GroupConsumer(new ConsumerConfig().nameservers(standalone.nameservers())
                .groupId("alive").enableAutoCommit(false), "t")) {
            long start = System.nanoTime();
            try (Admin admin = admin()) {
                long deadline = start + 30_000_000_000L;
                while (!admin.listGroupOffsets("gone").isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(admin.listGroupOffsets("gone")).as("offsets of the empty group expired").isEmpty();
                System.out.printf("MEASURE offsets expiry: gone %d ms after the commit (retention %d ms, checks"
                        + " every 100 ms)%n", (System.nanoTime() - start) / 1_000_000, RETENTION_MS);
                Thread.sleep(RETENTION_MS);
                assertThat(member.assignment.get()).as("the alive group kept its member").hasSize(2);
                assertThat(admin.listGroupOffsets("alive")).as("a group with members keeps its offsets, however old")
                        .isEqualTo(offsets);
            }
            assertThat(member.errors).isEmpty();
        }
        standalone.close();
        start(i -> new BrokerConfig().port(0).metricsPort(-1));
        try (Admin admin = admin()) {
            assertThat(admin.listGroupOffsets("gone")).as("the tombstones keep them gone after a rebuild").isEmpty();
            assertThat(admin.listGroupOffsets("alive")).isEqualTo(offsets);
        }
    }
}
