package io.sluice.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.broker.log.LogConfig;
import io.sluice.broker.log.PartitionLog;
import io.sluice.remoting.record.RecordBatchBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader that cannot be sure it leads (its lease suspended, or the partition fenced) moves no high watermark and
 * completes no acks=all wait, until the leadership is confirmed in the same epoch; on a real partition log.
 */
class LeaderFencingTest {
    @TempDir
    Path dir;

    private PartitionLog log;
    private LeaderLease lease;
    private Partition partition;

    @BeforeEach
    void lead() {
        log = PartitionLog.open(dir.resolve("t-0"), LogConfig.defaults(), Clock.systemUTC());
        lease = new LeaderLease();
        partition = new Partition("t", 0, 1, log, PartitionListener.NOOP, lease);
        partition.applyState(1, 3, List.of(1, 2), List.of(1, 2), 0, 2);
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
    void aSuspendedLeaseFreezesTheHighWatermarkUntilTheLeadershipIsConfirmed() {
        append(10);
        partition.followerFetched(2, 5, System.currentTimeMillis());
        assertThat(log.highWatermark()).isEqualTo(5);
        assertThat(partition.leadershipConfirmed()).isTrue();

        long generation = lease.suspend();
        partition.fence();
        assertThat(partition.leadershipConfirmed()).isFalse();
        assertThat(partition.isLeader()).as("it still leads as far as it knows").isTrue();
        partition.followerFetched(2, 10, System.currentTimeMillis());
        assertThat(log.highWatermark()).as("frozen while unconfirmed").isEqualTo(5);

        assertThat(partition.unfence(3)).as("no confirmation while the lease is suspended").isFalse();
        assertThat(lease.restore(generation)).isTrue();
        assertThat(partition.leadershipConfirmed()).as("still fenced after the lease is back").isFalse();
        assertThat(partition.unfence(4)).as("the registry names another epoch").isFalse();
        assertThat(log.highWatermark()).isEqualTo(5);

        assertThat(partition.unfence(3)).isTrue();
        assertThat(partition.leadershipConfirmed()).isTrue();
        assertThat(log.highWatermark()).as("caught up with the follower's progress").isEqualTo(10);
    }

    @Test
    void aRestorePreparedBeforeANewerSuspensionIsRefused() {
        long first = lease.suspend();
        long second = lease.suspend();
        assertThat(lease.restore(first)).isFalse();
        assertThat(lease.held()).isFalse();
        assertThat(lease.restore(second)).isTrue();
        assertThat(lease.held()).isTrue();
    }

    @Test
    void fencingWakesTheWritesWaitingForTheHighWatermark() {
        append(10);
        AtomicInteger woken = new AtomicInteger();
        partition.waitingForHighWatermark().park(woken::incrementAndGet);
        lease.suspend();
        partition.fence();
        assertThat(woken).hasValue(1);
        assertThat(partition.leadershipConfirmed()).as("a woken waiter sees the leadership in doubt").isFalse();
    }

    @Test
    void leadershipAppliedWhileTheLeaseIsSuspendedStaysUnconfirmed() {
        partition.applyState(2, 4, List.of(1, 2), List.of(1, 2), 1, 2);
        long generation = lease.suspend();
        partition.applyState(1, 5, List.of(1, 2), List.of(1, 2), 2, 2);
        assertThat(partition.isLeader()).isTrue();
        lease.restore(generation);
        assertThat(partition.leadershipConfirmed()).as("needs a fresh read of the registry").isFalse();
        assertThat(partition.unfence(5)).isTrue();

        partition.applyState(2, 6, List.of(1, 2), List.of(1, 2), 3, 2);
        partition.applyState(1, 7, List.of(1, 2), List.of(1, 2), 4, 2);
        assertThat(partition.leadershipConfirmed()).as("applied while the lease holds: current").isTrue();
    }
}
