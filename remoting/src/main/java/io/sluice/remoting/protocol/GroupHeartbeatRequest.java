package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/**
 * A group member is alive in {@code generation}. Answered empty, or REBALANCE_IN_PROGRESS (re-join),
 * ILLEGAL_GENERATION (re-join) or UNKNOWN_MEMBER (join again as a new member).
 */
public final class GroupHeartbeatRequest {
    @Tag(1)
    public String groupId;
    @Tag(2)
    public String memberId;
    @Tag(3)
    public int generation;

    public GroupHeartbeatRequest() {
    }
}
