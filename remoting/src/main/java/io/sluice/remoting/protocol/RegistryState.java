package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/**
 * The answering nameserver's connection to the registry (ZooKeeper), part of {@link DescribeClusterResponse}. While
 * it is not {@code CONNECTED} the rest of the answer is as of the last update before the outage, topics cannot be
 * created or deleted, no leader is elected, and leaders cut off from the registry hold back acks=all writes.
 */
public final class RegistryState {
    /** {@code CONNECTED}, {@code SUSPENDED} (connection dropped, session may live on) or {@code LOST} (session gone) */
    @Tag(1)
    public String state;
    /** wall-clock time (epoch ms) at the nameserver when it entered {@link #state} */
    @Tag(2)
    public long sinceMs;
    /** how long it has been in {@link #state}, as the nameserver measured it when answering */
    @Tag(3)
    public long forMs;
    /** the ZooKeeper ensemble the nameserver talks to */
    @Tag(4)
    public String connectString;

    public RegistryState() {
    }
}
