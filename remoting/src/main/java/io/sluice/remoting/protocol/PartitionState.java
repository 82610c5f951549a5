package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** One partition's log as its leader sees it. */
public final class PartitionState {
    @Tag(1)
    public int partition;
    @Tag(2)
    public long logStartOffset;
    @Tag(3)
    public long logEndOffset;
    @Tag(4)
    public long highWatermark;
    @Tag(5)
    public int leaderEpoch;
    @Tag(6)
    public long sizeBytes;
    /** whether the answering broker leads this partition */
    @Tag(7)
    public boolean leader;

    public PartitionState() {
    }
}
