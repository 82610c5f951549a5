package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** Where one partition lives. */
public final class PartitionRoute {
    @Tag(1)
    public int partition;
    /** broker id of the leader, -1 when none is available */
    @Tag(2)
    public int leader;
    @Tag(3)
    public int leaderEpoch;
    @Tag(4)
    public List<Integer> replicas;
    @Tag(5)
    public List<Integer> isr;

    public PartitionRoute() {
    }
}
