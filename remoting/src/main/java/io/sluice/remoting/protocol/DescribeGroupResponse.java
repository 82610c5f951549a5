package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** A group's state (EMPTY, PREPARING_REBALANCE, STABLE), generation, assignor and members with their partitions. */
public final class DescribeGroupResponse {
    @Tag(1)
    public String groupId;
    @Tag(2)
    public String state;
    @Tag(3)
    public int generation;
    @Tag(4)
    public String assignor;
    @Tag(5)
    public List<GroupMemberDescription> members;

    public DescribeGroupResponse() {
    }
}
