package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** One member of a group: ids, the host it connects from, and its assigned partitions. */
public final class GroupMemberDescription {
    @Tag(1)
    public String memberId;
    @Tag(2)
    public String clientId;
    @Tag(3)
    public String host;
    @Tag(4)
    public List<GroupPartitions> assignment;

    public GroupMemberDescription() {
    }
}
