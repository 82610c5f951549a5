package io.sluice.nameserver;

import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.TopicRoute;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of every topic's routes and the live brokers, with the version it was built as. A partition
 * whose leader is not live is routed with leader -1 (LEADER_NOT_AVAILABLE for clients). Safe to share.
 */
public final class RouteTable {
    private final long version;
    private final Map<String, TopicRoute> topics;
    private final List<BrokerInfo> brokers;

    private RouteTable(long version, Map<String, TopicRoute> topics, List<BrokerInfo> brokers) {
        this.version = version;
        this.topics = topics;
        this.brokers = brokers;
    }

    public static RouteTable empty() {
        return new RouteTable(0, Map.of(), List.of());
    }

    /** Builds the table for {@code version} from registry state. */
    public static RouteTable build(long version, Map<String, TopicMetadata> metadata, List<BrokerInfo> live) {
        Set<Integer> liveIds = new HashSet<>();
        for (BrokerInfo b : live) {
            liveIds.add(b.id);
        }
        Map<String, TopicRoute> routes = new HashMap<>();
        for (TopicMetadata topic : metadata.values()) {
            TopicRoute route = new TopicRoute();
            route.topic = topic.name();
            route.replicationFactor = topic.replicationFactor();
            route.configs = new HashMap<>(topic.configs());
            route.partitions = new ArrayList<>(topic.partitionStates().size());
            for (PartitionState state : topic.partitionStates()) {
                PartitionRoute p = new PartitionRoute();
                p.partition = state.partition();
                p.leader = liveIds.contains(state.leader()) ? state.leader() : -1;
                p.leaderEpoch = state.leaderEpoch();
                p.replicas = new ArrayList<>(state.replicas());
                p.isr = new ArrayList<>(state.isr());
                route.partitions.add(p);
            }
            route.partitions.sort((a, b) -> Integer.compare(a.partition, b.partition));
            routes.put(route.topic, route);
        }
        List<BrokerInfo> brokers = new ArrayList<>(live);
        brokers.sort((a, b) -> Integer.compare(a.id, b.id));
        return new RouteTable(version, Map.copyOf(routes), List.copyOf(brokers));
    }

    public long version() {
        return version;
    }

    public TopicRoute route(String topic) {
        return topics.get(topic);
    }

    public List<BrokerInfo> brokers() {
        return brokers;
    }

    public Set<String> topicNames() {
        return topics.keySet();
    }

    /** The answer to a route request for {@code names} (every topic when empty or null). */
    public GetRoutesResponse answer(List<String> names) {
        GetRoutesResponse response = new GetRoutesResponse();
        response.version = version;
        response.brokers = brokers;
        response.topics = new ArrayList<>();
        response.unknownTopics = new ArrayList<>();
        if (names == null || names.isEmpty()) {
            response.topics.addAll(topics.values());
            response.topics.sort((a, b) -> a.topic.compareTo(b.topic));
        } else {
            for (String name : names) {
                TopicRoute route = topics.get(name);
                if (route != null) {
                    response.topics.add(route);
                } else {
                    response.unknownTopics.add(name);
                }
            }
        }
        return response;
    }
}
