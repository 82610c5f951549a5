package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import io.sluice.remoting.record.RecordBatch;

import java.util.List;

/**
 * Append record batches to several partitions led by one broker (protocol version 2). The frame payload is the
 * concatenation of the batches in the order of {@link #partitions}, each {@link ProducePartition#batchBytes} long;
 * the lengths must add up to the payload, and the broker refuses the whole request (INVALID_REQUEST, nothing
 * appended) when they do not. Each partition is then appended and answered on its own ({@link ProduceResponse}).
 * The payload layout of one batch is {@link RecordBatch}.
 */
public final class ProduceRequest {
    /** 0: no answer is awaited; 1: the leader appended; -1 (all): every in-sync replica has it */
    @Tag(1)
    public short acks;
    /** how long the broker may wait for replication (acks=all) */
    @Tag(2)
    public int timeoutMs;
    /** one entry per batch of the payload, in payload order; at most {@link #maxPartitions(int)} */
    @Tag(3)
    public List<ProducePartition> partitions;

    public ProduceRequest() {
    }

    public static ProduceRequest of(short acks, int timeoutMs, List<ProducePartition> partitions) {
        ProduceRequest request = new ProduceRequest();
        request.acks = acks;
        request.timeoutMs = timeoutMs;
        request.partitions = partitions;
        return request;
    }

    /**
     * The most entries a payload of {@code payloadBytes} can carry: every batch holds at least its header. Bounds
     * the work a request can ask for by the bytes it actually sent.
     */
    public static int maxPartitions(int payloadBytes) {
        return payloadBytes / RecordBatch.HEADER_SIZE;
    }
}
