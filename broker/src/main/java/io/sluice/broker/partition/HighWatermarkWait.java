package io.sluice.broker.partition;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Waits, without blocking a thread, until a leader's append is replicated to every in-sync replica: until the high
 * watermark passes its last offset. The waiter parks on the partition and re-checks when the high watermark moves
 * or the role changes; it ends exactly once, as {@link Outcome#REPLICATED}, {@link Outcome#UNDER_REPLICATED} (the
 * high watermark passed it only because the in-sync set shrank below min.insync.replicas: in the log, but not as
 * durable as promised, like Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND), {@link Outcome#DEPOSED} (this broker
 * stopped leading, a new epoch began, or the leadership became unconfirmed because the broker lost its registry
 * connection, before that) or {@link Outcome#TIMED_OUT}. Used by acks=all produces and by
 * offset commits.
 */
public final class HighWatermarkWait {
    /** How a wait ended. */
    public enum Outcome {
        REPLICATED, UNDER_REPLICATED, DEPOSED, TIMED_OUT
    }

    private HighWatermarkWait() {
    }

    /**
     * Calls {@code done} once the high watermark of {@code partition} passes {@code lastOffset} (at once if it has),
     * or once this broker stops leading it in {@code epoch}, or after {@code waitMs}. {@code done} runs on the
     * thread that saw the outcome (an I/O thread, the replica-progress thread or {@code timers}). Returns an action
     * that gives the wait up (nobody waits for it any more): then {@code done} is not called.
     */
    public static Runnable await(Partition partition, long lastOffset, int epoch, EventExecutor timers, long waitMs,
                                 Consumer<Outcome> done) {
        if (partition.log().highWatermark() > lastOffset) {
            done.accept(replicated(partition));
            return () -> { };
        }
        AtomicBoolean finished = new AtomicBoolean();
        ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
        Runnable check = new Runnable() {
            @Override
            public void run() {
                if (finished.get()) {
                    return;
                }
                boolean replicated = partition.log().highWatermark() > lastOffset;
                boolean deposed = !partition.leadershipConfirmed() || partition.leaderEpoch() != epoch;
                if (!replicated && !deposed) {
                    partition.waitingForHighWatermark().park(this);
                    // the high watermark or the role may have moved between the check and the park
                    if (partition.log().highWatermark() <= lastOffset && partition.leadershipConfirmed()
                            && partition.leaderEpoch() == epoch) {
                        return;
                    }
                    partition.waitingForHighWatermark().remove(this);
                    replicated = partition.log().highWatermark() > lastOffset;
                }
                if (finished.compareAndSet(false, true)) {
                    if (timer[0] != null) {
                        timer[0].cancel(false);
                    }
                    done.accept(replicated ? replicated(partition) : Outcome.DEPOSED);
                }
            }
        };
        timer[0] = timers.schedule(() -> {
            if (finished.compareAndSet(false, true)) {
                partition.waitingForHighWatermark().remove(check);
                done.accept(Outcome.TIMED_OUT);
            }
        }, waitMs, TimeUnit.MILLISECONDS);
        check.run();
        return () -> {
            if (finished.compareAndSet(false, true)) {
                timer[0].cancel(false);
                partition.waitingForHighWatermark().remove(check);
            }
        };
    }

    private static Outcome replicated(Partition partition) {
        return partition.isr().size() < partition.minInsyncReplicas() ? Outcome.UNDER_REPLICATED : Outcome.REPLICATED;
    }
}
