package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** The generation the member joined, its member id, the group leader's id and the member's own assignment. */
public final class JoinGroupResponse {
    @Tag(1)
    public int generation;
    @Tag(2)
    public String memberId;
    @Tag(3)
    public String leaderId;
    @Tag(4)
    public List<GroupPartitions> assignment;
    @Tag(5)
    public int memberCount;
    /** The assignment strategy the group chose for this generation. */
    @Tag(6)
    public String assignor;

    public JoinGroupResponse() {
    }
}
