package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** One replica of a partition as its leader sees it: its log end and how long ago it was last caught up. */
public final class ReplicaState {
    @Tag(1)
    public int replica;
    /** the replica's log end (a follower's last fetch offset); -1 when not heard from since this leader took over */
    @Tag(2)
    public long logEndOffset;
    /** milliseconds since the replica was last caught up with the leader's log end (0 for the leader itself) */
    @Tag(3)
    public long lagMs;

    public ReplicaState() {
    }
}
