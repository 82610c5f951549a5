package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.sluice.broker.log.LogAppendInfo;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;

/**
 * Appends a producer's record batch to the partition it names, on the connection's I/O thread (an append is a
 * copy into the memory-mapped log). acks=0 requests arrive oneway and get no answer; acks=1 is answered once the
 * leader has appended.
 */
public final class ProduceHandler implements RequestHandler {
    private final PartitionManager partitions;

    public ProduceHandler(PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf payload) {
        ProduceRequest request = (ProduceRequest) message;
        if (request.acks != 0 && request.acks != 1 && request.acks != -1) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "acks must be 0, 1 or -1 (all), not " + request.acks);
        }
        if (!payload.isReadable()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "produce request carries no record batch");
        }
        Partition partition = partitions.partition(request.topic, request.partition);
        LogAppendInfo info = partition.appendAsLeader(payload);
        if (ctx.oneway()) {
            return;
        }
        ProduceResponse response = new ProduceResponse();
        response.baseOffset = info.baseOffset();
        response.logAppendTimeMs = info.appendTimeMs();
        response.logStartOffset = partition.log().logStartOffset();
        ctx.respond(response);
    }
}
