package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** A group a coordinator knows: live membership, or only committed offsets (state EMPTY, no members). */
public final class GroupSummary {
    @Tag(1)
    public String groupId;
    @Tag(2)
    public String state;
    @Tag(3)
    public int memberCount;
    @Tag(4)
    public int generation;

    public GroupSummary() {
    }
}
