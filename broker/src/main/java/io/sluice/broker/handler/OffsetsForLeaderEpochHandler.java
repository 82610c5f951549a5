package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.sluice.broker.log.LeaderEpochCache;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.OffsetsForLeaderEpochRequest;
import io.sluice.remoting.protocol.OffsetsForLeaderEpochResponse;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;

/**
 * Answers a follower's question "where did epoch N end in your log?" from the leader's epoch history, so the
 * follower can cut what it holds past the point where the two histories diverge. Only the leader answers, and
 * only a follower that names its current epoch. Stateless; thread-safe.
 */
public final class OffsetsForLeaderEpochHandler implements RequestHandler {
    private final PartitionManager partitions;

    public OffsetsForLeaderEpochHandler(PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf payload) {
        OffsetsForLeaderEpochRequest request = (OffsetsForLeaderEpochRequest) message;
        Partition partition = partitions.partition(request.topic, request.partition);
        if (!partition.isLeader() || request.currentLeaderEpoch > partition.leaderEpoch()) {
            throw new SluiceException(ErrorCode.NOT_LEADER, "this broker does not lead " + partition
                    + " in epoch " + request.currentLeaderEpoch);
        }
        if (request.currentLeaderEpoch < partition.leaderEpoch()) {
            throw new SluiceException(ErrorCode.FENCED_LEADER_EPOCH, partition + " is in leader epoch "
                    + partition.leaderEpoch() + ", not " + request.currentLeaderEpoch);
        }
        LeaderEpochCache.EpochEndOffset end = partition.log().leaderEpochCache().endOffsetFor(request.leaderEpoch);
        OffsetsForLeaderEpochResponse response = new OffsetsForLeaderEpochResponse();
        response.leaderEpoch = end.epoch();
        response.endOffset = end.endOffset();
        response.logStartOffset = partition.log().logStartOffset();
        response.logEndOffset = partition.log().logEndOffset();
        ctx.respond(response);
    }
}
