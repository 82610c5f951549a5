package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** Some partitions of one topic (part of a group member's assignment). */
public final class GroupPartitions {
    @Tag(1)
    public String topic;
    @Tag(2)
    public List<Integer> partitions;

    public GroupPartitions() {
    }
}
