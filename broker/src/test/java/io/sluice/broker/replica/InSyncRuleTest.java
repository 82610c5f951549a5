package io.sluice.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.broker.log.LogConfig;
import io.sluice.broker.log.PartitionLog;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionListener;
import io.sluice.remoting.record.RecordBatchBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A leader's high watermark and in-sync set from its followers' fetches, on a real partition log. */
class InSyncRuleTest {
    private static final long LAG_MS = 10_000;

    @TempDir
    Path dir;

    private PartitionLog log;
    private Partition partition;
    private long t0;

    @BeforeEach
    void lead() {
        log = PartitionLog.open(dir.resolve("t-0"), LogConfig.defaults(), Clock.systemUTC());
        partition = new Partition("t", 0, 1, log, PartitionListener.NOOP);
        t0 = System.currentTimeMillis();
        partition.applyState(1, 3, List.of(1, 2, 3), List.of(1, 2, 3), 0, 2);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private void append(int records) {
        ByteBuf buf = Unpooled.buffer();
        try {
            RecordBatchBuilder builder = new RecordBatchBuilder(buf, System.currentTimeMillis());
            for (int i = 0; i < records; i++) {
                builder.append(System.currentTimeMillis(), null, new byte[] {(byte) i});
            }
            builder.close();
            partition.appendAsLeader(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void theHighWatermarkIsTheSmallestLogEndOfTheInSyncReplicas() {
        append(10);
        assertThat(log.highWatermark()).as("followers not heard from yet").isZero();
        partition.followerFetched(2, 10, t0 + 1);
        partition.followerFetched(3, 4, t0 + 1);
        assertThat(log.highWatermark()).isEqualTo(4);
        partition.followerFetched(3, 10, t0 + 2);
        assertThat(log.highWatermark()).isEqualTo(10);
    }

    @Test
    void aFollowerThatFallsBehindForTheLagTimeLeavesAndRejoinsOnceCaughtUp() {
        append(10);
        partition.followerFetched(2, 10, t0 + 1);
        partition.followerFetched(3, 10, t0 + 1);
        append(10);
        partition.followerFetched(2, 20, t0 + 5_000);
        assertThat(InSyncRule.next(partition, 1, t0 + 5_000, LAG_MS)).containsExactly(1, 2, 3);
        assertThat(InSyncRule.next(partition, 1, t0 + 1 + LAG_MS + 1, LAG_MS)).containsExactly(1, 2);

        partition.isrWritten(List.of(1, 2), 1);
        assertThat(log.highWatermark()).as("no longer held back by broker 3").isEqualTo(20);
        partition.followerFetched(3, 15, t0 + 12_000);
        assertThat(InSyncRule.next(partition, 1, t0 + 12_000, LAG_MS)).as("below the high watermark")
                .containsExactly(1, 2);
        partition.followerFetched(3, 20, t0 + 12_100);
        assertThat(InSyncRule.next(partition, 1, t0 + 12_100, LAG_MS)).containsExactly(1, 2, 3);
    }

    @Test
    void aFollowerDoesNotRejoinBeforeItReachesTheStartOfTheCurrentLeaderEpoch() {
        append(10);
        partition.applyState(1, 3, List.of(1, 2, 3), List.of(1, 2), 1, 2);
        partition.followerFetched(2, 10, t0 + 1);
        // a new epoch starts at offset 10; broker 3 has only 8 records of the old one
        partition.applyState(1, 4, List.of(1, 2, 3), List.of(1, 2), 2, 2);
        partition.followerFetched(2, 10, t0 + 2);
        partition.followerFetched(3, 8, t0 + 2);
        assertThat(InSyncRule.next(partition, 1, t0 + 2, LAG_MS)).containsExactly(1, 2);
        partition.followerFetched(3, 10, t0 + 3);
        assertThat(InSyncRule.next(partition, 1, t0 + 3, LAG_MS)).containsExactly(1, 2, 3);
    }
}
