package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** One partition of a {@link FetchResponse}: its error or its state, and how many payload bytes are its batches. */
public final class FetchedPartition {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    /** {@code ErrorCode} id, 0 for none */
    @Tag(3)
    public int errorCode;
    @Tag(4)
    public String errorMessage;
    @Tag(5)
    public long highWatermark;
    @Tag(6)
    public long logStartOffset;
    @Tag(7)
    public long logEndOffset;
    @Tag(8)
    public int leaderEpoch;
    /** bytes of the payload, following the previous entries' bytes, holding this partition's whole batches */
    @Tag(9)
    public int recordsBytes;

    public FetchedPartition() {
    }
}
