package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** Where one partition's batch of a produce request landed, or why it did not ({@link #errorCode} not 0). */
public final class ProducePartitionResult {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    /** {@link io.sluice.remoting.ErrorCode} id; 0 when the batch was appended (and replicated, for acks=all) */
    @Tag(3)
    public short errorCode;
    /** what went wrong, for a person; null on success */
    @Tag(4)
    public String errorMessage;
    /** offset of the first record of the batch; -1 on error */
    @Tag(5)
    public long baseOffset = -1;
    /** broker time of the append */
    @Tag(6)
    public long logAppendTimeMs = -1;
    @Tag(7)
    public long logStartOffset = -1;

    public ProducePartitionResult() {
    }
}
