package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.sluice.broker.log.PartitionLog;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ListOffsetsRequest;
import io.sluice.remoting.protocol.ListOffsetsResponse;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;

/** Answers offset look-ups: the log start, the end a consumer may read to, or the first offset at a timestamp. */
public final class ListOffsetsHandler implements RequestHandler {
    private final PartitionManager partitions;

    public ListOffsetsHandler(PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf payload) {
        ListOffsetsRequest request = (ListOffsetsRequest) message;
        Partition partition = partitions.partition(request.topic, request.partition);
        if (!partition.isLeader()) {
            throw new SluiceException(ErrorCode.NOT_LEADER,
                    "this broker does not lead " + partition + "; refresh routes");
        }
        PartitionLog log = partition.log();
        ListOffsetsResponse response = new ListOffsetsResponse();
        response.timestamp = -1;
        if (request.timestamp == ListOffsetsRequest.LATEST) {
            response.offset = log.highWatermark();
        } else if (request.timestamp == ListOffsetsRequest.EARLIEST) {
            response.offset = log.logStartOffset();
        } else if (request.timestamp < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "timestamp must be -1 (latest), -2 (earliest) or a"
                    + " time in ms since the epoch, not " + request.timestamp);
        } else {
            response.offset = Math.min(log.offsetForTimestamp(request.timestamp), log.highWatermark());
            response.timestamp = response.offset < log.highWatermark() ? request.timestamp : -1;
        }
        ctx.respond(response);
    }
}
