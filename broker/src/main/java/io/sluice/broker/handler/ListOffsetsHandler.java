package io.sluice.broker.handler;

import io.netty.buffer.ByteBuf;
import io.sluice.broker.log.PartitionLog;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.PartitionManager;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.RateLimitedLog;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ListOffsetsPartition;
import io.sluice.remoting.protocol.ListOffsetsPartitionResult;
import io.sluice.remoting.protocol.ListOffsetsRequest;
import io.sluice.remoting.protocol.ListOffsetsResponse;
import io.sluice.remoting.transport.RequestContext;
import io.sluice.remoting.transport.RequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Answers offset look-ups of many partitions at once, each on its own: the log start, the end a consumer may read
 * to, or the first offset at a timestamp.
 */
public final class ListOffsetsHandler implements RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ListOffsetsHandler.class);
    private static final RateLimitedLog FAILURES = RateLimitedLog.of(LOG);

    private final PartitionManager partitions;

    public ListOffsetsHandler(PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public void handle(RequestContext ctx, Object message, ByteBuf payload) {
        List<ListOffsetsPartition> entries = ((ListOffsetsRequest) message).partitions;
        if (entries == null || entries.isEmpty()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "list offsets request names no partition");
        }
        if (entries.size() > ListOffsetsRequest.MAX_PARTITIONS) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "list offsets request names " + entries.size()
                    + " partitions; at most " + ListOffsetsRequest.MAX_PARTITIONS + " per request");
        }
        List<ListOffsetsPartitionResult> results = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            ListOffsetsPartition entry = entries.get(i);
            ListOffsetsPartitionResult result = new ListOffsetsPartitionResult();
            results.add(result);
            if (entry == null) {
                result.errorCode = ErrorCode.INVALID_REQUEST.id();
                result.errorMessage = "entry " + i + " of the list offsets request is empty";
                continue;
            }
            result.topic = entry.topic;
            result.partition = entry.partition;
            try {
                answer(entry, result);
            } catch (RuntimeException e) {
                SluiceException error = SluiceException.from(e);
                result.errorCode = error.code().id();
                result.errorMessage = error.getMessage();
                result.offset = -1;
                result.timestamp = -1;
                if (error.code() == ErrorCode.UNKNOWN) {
                    FAILURES.warn("unexpected", "list offsets of {}-{} from {} failed", entry.topic, entry.partition,
                            ctx.remoteAddress(), e);
                }
            }
        }
        ListOffsetsResponse response = new ListOffsetsResponse();
        response.partitions = results;
        ctx.respond(response);
    }

    private void answer(ListOffsetsPartition entry, ListOffsetsPartitionResult result) {
        Partition partition = partitions.partition(entry.topic, entry.partition);
        if (!partition.isLeader()) {
            throw new SluiceException(ErrorCode.NOT_LEADER, "this broker does not lead " + partition
                    + "; refresh routes");
        }
        PartitionLog log = partition.log();
        long timestamp = entry.timestamp;
        if (timestamp == ListOffsetsRequest.LATEST) {
            result.offset = log.highWatermark();
        } else if (timestamp == ListOffsetsRequest.EARLIEST) {
            result.offset = log.logStartOffset();
        } else if (timestamp < 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "timestamp must be -1 (latest), -2 (earliest) or a"
                    + " time in ms since the epoch, not " + timestamp);
        } else {
            long hw = log.highWatermark();
            result.offset = Math.min(log.offsetForTimestamp(timestamp), hw);
            result.timestamp = result.offset < hw ? timestamp : -1;
        }
    }
}
