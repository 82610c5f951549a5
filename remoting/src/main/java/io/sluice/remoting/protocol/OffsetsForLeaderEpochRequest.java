package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/**
 * A follower asks its leader where {@code leaderEpoch} (the follower's latest) ended in the leader's log, to find
 * where the two logs diverge before it fetches.
 */
public final class OffsetsForLeaderEpochRequest {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    /** the epoch whose end is asked for */
    @Tag(3)
    public int leaderEpoch;
    /** the asker's view of the current leader epoch (the leader refuses a mismatch with FENCED_LEADER_EPOCH) */
    @Tag(4)
    public int currentLeaderEpoch;
    /** the asking broker's id */
    @Tag(5)
    public int replicaId;

    public OffsetsForLeaderEpochRequest() {
    }
}
