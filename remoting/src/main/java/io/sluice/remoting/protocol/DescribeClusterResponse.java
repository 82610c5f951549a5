package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/**
 * The cluster as the answering nameserver sees it (the request body is empty): live brokers, the active controller
 * and its epoch, and the partitions that are short of replicas. A partition is under-replicated when its in-sync set
 * is smaller than its replica set, offline when it has no live leader; each list carries only those partitions,
 * grouped by topic.
 */
public final class DescribeClusterResponse {
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
    /**
     * the nameserver's registry connection; null from nameservers that predate it. Tag 10 (not 7) leaves room for
     * fields added alongside it.
     */
    @Tag(10)
    public RegistryState registry;

    public DescribeClusterResponse() {
    }
}
