package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/**
 * The cluster as the answering nameserver sees it (the request body is empty): live brokers, the active controller
 * and its epoch, and the partitions that are short of replicas. A partition is under-replicated when its in-sync set
 * is smaller than its replica set, offline when it has no live leader; each list carries only those partitions,
 * grouped by topic, and at most {@link #MAX_LISTED_PARTITIONS} of each (in topic and partition order) so that the
 * answer stays small when a broker of a large cluster dies; the counts say how many there are in all.
 */
public final class DescribeClusterResponse {
    /** Most partitions each list carries. */
    public static final int MAX_LISTED_PARTITIONS = 1_000;

    @Tag(1)
    public List<BrokerInfo> brokers;
    /** participant id of the active controller (e.g. {@code nameserver@127.0.0.1:9876}), null when none is known */
    @Tag(2)
    public String controller;
    @Tag(3)
    public long controllerEpoch;
    @Tag(4)
    public List<TopicRoute> underReplicated;
    @Tag(5)
    public List<TopicRoute> offline;
    /** version of the route table the answer was taken from */
    @Tag(6)
    public long routeVersion;
    /** under-replicated partitions in all (the list holds at most {@link #MAX_LISTED_PARTITIONS}) */
    @Tag(7)
    public int underReplicatedCount;
    /** offline partitions in all (the list holds at most {@link #MAX_LISTED_PARTITIONS}) */
    @Tag(8)
    public int offlineCount;
    /**
     * the nameserver's registry connection; null from nameservers that predate it.
     */
    @Tag(10)
    public RegistryState registry;

    public DescribeClusterResponse() {
    }
}
