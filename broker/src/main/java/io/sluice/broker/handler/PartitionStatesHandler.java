package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.sluice.broker.log.PartitionLog;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.broker.partition.ReplicaProgress;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.PartitionLogState;
import io.sluice.remoting.protocol.PartitionStatesRequest;
import io.sluice.remoting.protocol.PartitionStatesResponse;
import io.sluice.remoting.protocol.ReplicaState;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * Reports the log state (start, end, high watermark, size) of every partition of a topic hosted here and, for the
 * partitions led here, every replica's log end and time since it was last caught up.
 */
public final class PartitionStatesHandler implements RequestHandler {
    private final PartitionManager partitions;

    public PartitionStatesHandler(PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf payload) {
        PartitionStatesRequest request = (PartitionStatesRequest) message;
        Partition[] hosted = request.topic == null ? null : partitions.partitions(request.topic);
        if (hosted == null) {
            throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "unknown topic '" + request.topic + "'");
        }
        PartitionStatesResponse response = new PartitionStatesResponse();
        response.partitions = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Partition p : hosted) {
            if (p == null) {
                continue;
            }
            PartitionLog log = p.log();
            PartitionLogState state = new PartitionLogState();
            state.partition = p.id();
            state.logStartOffset = log.logStartOffset();
            state.logEndOffset = log.logEndOffset();
            state.highWatermark = log.highWatermark();
            state.leaderEpoch = p.leaderEpoch();
            state.sizeBytes = log.sizeInBytes();
            state.leader = p.isLeader();
            state.replicas = state.leader ? replicaStates(p, state.logEndOffset, now) : List.of();
            response.partitions.add(state);
        }
        ctx.respond(response);
    }

    /** Every replica's log end as this leader tracks it (its own first-hand), in replica order. */
    private static List<ReplicaState> replicaStates(Partition p, long leaderLogEnd, long nowMs) {
        ReplicaProgress progress = p.progress();
        List<ReplicaState> out = new ArrayList<>(p.replicas().size());
        for (int r : p.replicas()) {
            ReplicaState s = new ReplicaState();
            s.replica = r;
            if (r == p.leaderId()) {
                s.logEndOffset = leaderLogEnd;
            } else {
                s.logEndOffset = progress.logEnd(r);
                s.lagMs = Math.max(0, nowMs - progress.lastCaughtUpMs(r));
            }
            out.add(s);
        }
        return out;
    }
}
