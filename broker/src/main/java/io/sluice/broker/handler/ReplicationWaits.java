package io.sluice.broker.handler;

import io.sluice.broker.partition.HighWatermarkWait;
import io.sluice.broker.partition.Partition;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.protocol.ProducePartitionResult;
import io.sluice.remoting.transport.RequestContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The acks=all wait of one produce request: answers it once every appended partition's high watermark has passed
 * its batch, each partition through its own {@link HighWatermarkWait} (so each ends on its own outcome: replicated,
 * or its own NOT_ENOUGH_REPLICAS_AFTER_APPEND, NOT_LEADER or REQUEST_TIMED_OUT in its result). The last wait to end
 * sends the answer, from whichever thread saw it. If the connection closes first, every wait is given up at once.
 *
 * <p>Thread-safety: {@link #add} and {@link #start} on the handler's thread; each wait writes only its own result
 * before counting down, and the count's last decrement publishes them all to the thread that answers.
 */
final class ReplicationWaits {
    private final RequestContext ctx;
    private final ProducePartitionResult[] results;
    private final long waitMs;
    private final List<Wait> waits = new ArrayList<>();
    private final AtomicInteger remaining = new AtomicInteger();

    ReplicationWaits(RequestContext ctx, ProducePartitionResult[] results, long waitMs) {
        this.ctx = ctx;
        this.results = results;
        this.waitMs = waitMs;
    }

    /** Result {@code index} is answered once the high watermark of {@code partition} passes {@code lastOffset}. */
    void add(int index, Partition partition, long lastOffset, int epoch) {
        waits.add(new Wait(index, partition, lastOffset, epoch));
    }

    /** Starts every wait; the request is answered when the last one ends. */
    void start() {
        remaining.set(waits.size());
        List<Runnable> giveUps = new ArrayList<>(waits.size());
        for (Wait wait : waits) {
            giveUps.add(HighWatermarkWait.await(wait.partition, wait.lastOffset, wait.epoch, ctx.executor(), waitMs,
                    outcome -> ended(wait, outcome)));
        }
        ctx.onAbandoned(() -> giveUps.forEach(Runnable::run));
    }

    private void ended(Wait wait, HighWatermarkWait.Outcome outcome) {
        Partition partition = wait.partition;
        long lastOffset = wait.lastOffset;
        switch (outcome) {
            case REPLICATED -> { }
            case UNDER_REPLICATED -> fail(wait, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, "the batch at offset "
                    + lastOffset + " of " + partition + " was appended, but the in-sync set shrank to "
                    + partition.isr() + ", fewer than min.insync.replicas=" + partition.minInsyncReplicas()
                    + ", before it was replicated");
            case DEPOSED -> fail(wait, ErrorCode.NOT_LEADER, "this broker stopped leading " + partition
                    + " (or lost its registry connection) before the batch was replicated; refresh routes and retry");
            case TIMED_OUT -> fail(wait, ErrorCode.REQUEST_TIMED_OUT, "the batch at offset " + lastOffset + " of "
                    + partition + " did not reach every in-sync replica " + partition.isr() + " within " + waitMs
                    + " ms");
        }
        if (remaining.decrementAndGet() == 0) {
            ctx.respond(ProduceHandler.response(results));
        }
    }

    private void fail(Wait wait, ErrorCode code, String message) {
        ProducePartitionResult result = results[wait.index];
        result.errorCode = code.id();
        result.errorMessage = message;
        result.baseOffset = -1;
    }

    private record Wait(int index, Partition partition, long lastOffset, int epoch) {
    }
}
