package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** One partition's log as its leader sees it. */
public final class PartitionLogState {
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
    /** every replica's log end, as the leader tracks it; empty when the answering broker does not lead */
    @Tag(8)
    public List<ReplicaState> replicas;

    public PartitionLogState() {
    }
}
