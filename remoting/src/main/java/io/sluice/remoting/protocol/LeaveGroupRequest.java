package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** A member leaves its group at once; the others rebalance without waiting for its session to time out. */
public final class LeaveGroupRequest {
    @Tag(1)
    public String groupId;
    @Tag(2)
    public String memberId;

    public LeaveGroupRequest() {
    }
}
