package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/**
 * Where the requested epoch ended in the leader's log (Kafka's semantics: for the leader's latest epoch its log
 * end; for an older one the start of the next higher epoch, paired with the largest epoch at or below the one
 * asked), -1/-1 when undefined, plus the leader's log bounds.
 */
public final class OffsetsForLeaderEpochResponse {
    @Tag(1)
    public int leaderEpoch;
    @Tag(2)
    public long endOffset;
    @Tag(3)
    public long logStartOffset;
    @Tag(4)
    public long logEndOffset;

    public OffsetsForLeaderEpochResponse() {
    }
}
