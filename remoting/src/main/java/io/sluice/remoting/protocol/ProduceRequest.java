package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** Append one record batch (the frame payload) to a partition. The payload layout is {@link io.sluice.remoting.record.RecordBatch}. */
public final class ProduceRequest {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    /** 0: no answer is awaited; 1: the leader appended; -1 (all): every in-sync replica has it */
    @Tag(3)
    public short acks;
    /** how long the broker may wait for replication (acks=all) */
    @Tag(4)
    public int timeoutMs;

    public ProduceRequest() {
    }
}
