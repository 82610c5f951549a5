package io.sluice.broker.log;

import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogManagerTest {
    @TempDir
    Path root;
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);

    @Test
    void anUnwritableDataDirIsRefusedNamingThePath() throws Exception {
        Path file = Files.writeString(root.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> new LogManager(file.resolve("data"), PartitionLogTest.testConfig(), clock))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining(file.resolve("data").toString())
                .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.DATA_DIR_NOT_WRITABLE);
    }

    @Test
    void createsFindsReopensAndDeletesPartitionLogs() {
        Path data = root.resolve("data");
        try (LogManager logs = new LogManager(data, PartitionLogTest.testConfig(), clock)) {
            PartitionLog a0 = logs.getOrCreate("orders", 0, PartitionLogTest.testConfig());
            PartitionLog a1 = logs.getOrCreate("orders", 1, PartitionLogTest.testConfig());
            PartitionLog b0 = logs.getOrCreate("order-events", 0);
            assertThat(logs.getOrCreate("orders", 0, PartitionLogTest.testConfig())).isSameAs(a0);
            assertThat(logs.get("orders", 1)).isSameAs(a1);
            assertThat(logs.get("orders", 2)).isNull();
            assertThat(Files.isDirectory(data.resolve("orders-0"))).isTrue();
            PartitionLogTest.append(a0, clock.millis(), "a", "b");
            PartitionLogTest.append(b0, clock.millis(), "c");
            assertThat(logs.topicsOnDisk()).containsExactlyInAnyOrder("orders", "order-events");

            logs.deleteTopic("orders");
            assertThat(logs.get("orders", 0)).isNull();
            assertThat(Files.exists(data.resolve("orders-0"))).isFalse();
            assertThat(logs.topicsOnDisk()).containsExactly("order-events");
            assertThatThrownBy(() -> a0.read(0, 100, Long.MAX_VALUE, PooledByteBufAllocator.DEFAULT))
                    .isInstanceOf(SluiceException.class);
        }
        try (LogManager logs = new LogManager(data, PartitionLogTest.testConfig(), clock)) {
            assertThat(logs.topicsOnDisk()).containsExactly("order-events");
            PartitionLog b0 = logs.getOrCreate("order-events", 0);
            assertThat(b0.logEndOffset()).isEqualTo(1);
            try (FetchData d = b0.read(0, 100, Long.MAX_VALUE, PooledByteBufAllocator.DEFAULT)) {
                assertThat(TestBatches.values(d.records())).containsExactly("c");
            }
        }
    }

    @Test
    void invalidNamesAreRefused() {
        try (LogManager logs = new LogManager(root, PartitionLogTest.testConfig(), clock)) {
            assertThatThrownBy(() -> logs.getOrCreate("../evil", 0))
                    .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.INVALID_TOPIC);
            assertThatThrownBy(() -> logs.getOrCreate("ok", -1))
                    .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        }
    }

    @Test
    void retentionRunsOverAllLogsWithTheirOwnConfig() {
        try (LogManager logs = new LogManager(root, PartitionLogTest.testConfig(), clock)) {
            LogConfig shortLived = PartitionLogTest.testConfig().withOverrides(Map.of("retention.ms", "1000"));
            PartitionLog kept = logs.getOrCreate("kept", 0);
            PartitionLog purged = logs.getOrCreate("purged", 0, shortLived);
            for (PartitionLog l : new PartitionLog[] {kept, purged}) {
                PartitionLogTest.append(l, clock.millis(), "old");
                l.roll();
                PartitionLogTest.append(l, clock.millis(), "new");
                l.highWatermark(l.logEndOffset());
            }
            clock.advance(60_000);
            assertThat(logs.runRetention(clock.millis())).isEqualTo(1);
            assertThat(purged.logStartOffset()).isEqualTo(1);
            assertThat(kept.logStartOffset()).isZero();
        }
    }
}
