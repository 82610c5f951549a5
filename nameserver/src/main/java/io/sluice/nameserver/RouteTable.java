package io.sluice.nameserver;

import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.TopicRoute;
import io.sluice.remoting.transport.TransportConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of every topic's routes and the live brokers, with the version it was built as. A partition
 * whose leader is not live is routed with leader -1 (LEADER_NOT_AVAILABLE for clients). Safe to share.
 *
 * <p>Routes are kept as the wire objects they are sent as, built once per change of their topic (or of the live
 * brokers) and shared by every answer until then: a table built after one partition changed reuses the routes of
 * every other topic. Replica and in-sync lists are interned per topic (a topic on 3 brokers with RF 3 has at most 6
 * distinct lists), so a routed partition costs one small object, about 40 bytes. Each route's encoded size is kept
 * too, so an answer that would not fit in a frame is refused before anything is encoded.
 */
public final class RouteTable {
    /** Bytes of a GET_ROUTES answer beside its routes (version, brokers, field tags), counted generously. */
    private static final int ANSWER_OVERHEAD_BYTES = 1024;

    private final long version;
    private final Map<String, Entry> topics;
    private final List<BrokerInfo> brokers;
    private final Set<Integer> liveIds;

    /** One topic's route, the metadata it was built from, and its encoded size in bytes. */
    private record Entry(TopicMetadata source, TopicRoute route, int bytes) {
    }

    private RouteTable(long version, Map<String, Entry> topics, List<BrokerInfo> brokers, Set<Integer> liveIds) {
        this.version = version;
        this.topics = topics;
        this.brokers = brokers;
        this.liveIds = liveIds;
    }

    public static RouteTable empty() {
        return new RouteTable(0, Map.of(), List.of(), Set.of());
    }

    /** Builds the table for {@code version} from registry state. */
    public static RouteTable build(long version, Map<String, TopicMetadata> metadata, List<BrokerInfo> live) {
        return build(version, metadata, live, empty());
    }

    /**
     * Builds the table for {@code version} from registry state, reusing the routes of {@code previous} for topics
     * whose metadata is the same instance and when the live brokers are the same.
     */
    public static RouteTable build(long version, Map<String, TopicMetadata> metadata, List<BrokerInfo> live,
            RouteTable previous) {
        Set<Integer> liveIds = new HashSet<>();
        for (BrokerInfo b : live) {
            liveIds.add(b.id);
        }
        boolean sameBrokers = liveIds.equals(previous.liveIds);
        Map<String, Entry> routes = new HashMap<>();
        for (TopicMetadata topic : metadata.values()) {
            Entry last = previous.topics.get(topic.name());
            routes.put(topic.name(), sameBrokers && last != null && last.source() == topic ? last
                    : entry(topic, liveIds));
        }
        List<BrokerInfo> brokers = new ArrayList<>(live);
        brokers.sort((a, b) -> Integer.compare(a.id, b.id));
        return new RouteTable(version, Map.copyOf(routes), List.copyOf(brokers), Set.copyOf(liveIds));
    }

    private static Entry entry(TopicMetadata topic, Set<Integer> liveIds) {
        Map<List<Integer>, List<Integer>> interned = new HashMap<>();
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
            p.replicas = interned.computeIfAbsent(state.replicas(), List::copyOf);
            p.isr = interned.computeIfAbsent(state.isr(), List::copyOf);
            route.partitions.add(p);
        }
        route.partitions.sort((a, b) -> Integer.compare(a.partition, b.partition));
        return new Entry(topic, route, encodedSize(route));
    }

    /**
     * An upper bound of {@code route}'s encoded size, counted rather than encoded (the table is rebuilt often):
     * protostuff writes each field as a one-byte tag and a varint (ten bytes for a negative int), a nested message
     * between a start and an end group tag, strings and map entries with a length.
     */
    static int encodedSize(TopicRoute route) {
        long bytes = 16 + utf8Bound(route.topic) + varint(route.replicationFactor);
        for (Map.Entry<String, String> e : route.configs == null ? Map.<String, String>of().entrySet()
                : route.configs.entrySet()) {
            bytes += 16 + utf8Bound(e.getKey()) + utf8Bound(e.getValue());
        }
        for (PartitionRoute p : route.partitions) {
            bytes += 2 + 3 + varint(p.partition) + varint(p.leader) + varint(p.leaderEpoch);
            for (int id : p.replicas) {
                bytes += 1 + varint(id);
            }
            for (int id : p.isr) {
                bytes += 1 + varint(id);
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    private static int varint(int v) {
        return v < 0 ? 10 : v < 1 << 7 ? 1 : v < 1 << 14 ? 2 : v < 1 << 21 ? 3 : v < 1 << 28 ? 4 : 5;
    }

    private static int utf8Bound(String s) {
        return s == null ? 0 : 5 + 3 * s.length();
    }

    public long version() {
        return version;
    }

    public TopicRoute route(String topic) {
        Entry e = topics.get(topic);
        return e == null ? null : e.route();
    }

    public List<BrokerInfo> brokers() {
        return brokers;
    }

    public Set<String> topicNames() {
        return topics.keySet();
    }

    /** The answer to a route request for {@code names} (every topic when empty or null), with no size limit. */
    public GetRoutesResponse answer(List<String> names) {
        return answer(names, false, Integer.MAX_VALUE);
    }

    /**
     * The answer to a route request: the routes of {@code names} (every topic when empty or null), or, with
     * {@code namesOnly}, just every topic's name. Throws FRAME_TOO_LARGE, naming the sizes and what to do, if the
     * routes would take more than {@code maxBytes} on the wire.
     */
    public GetRoutesResponse answer(List<String> names, boolean namesOnly, int maxBytes) {
        GetRoutesResponse response = new GetRoutesResponse();
        response.version = version;
        response.brokers = brokers;
        response.topics = new ArrayList<>();
        response.unknownTopics = new ArrayList<>();
        if (namesOnly) {
            response.topicNames = new ArrayList<>(topics.keySet());
            response.topicNames.sort(null);
            return response;
        }
        long bytes = ANSWER_OVERHEAD_BYTES + 64L * brokers.size();
        int partitions = 0;
        if (names == null || names.isEmpty()) {
            for (Entry e : topics.values()) {
                response.topics.add(e.route());
                bytes += e.bytes();
                partitions += e.route().partitions.size();
            }
            response.topics.sort((a, b) -> a.topic.compareTo(b.topic));
        } else {
            for (String name : names) {
                Entry e = topics.get(name);
                if (e != null) {
                    response.topics.add(e.route());
                    bytes += e.bytes();
                    partitions += e.route().partitions.size();
                } else {
                    response.unknownTopics.add(name);
                }
            }
        }
        if (bytes > maxBytes) {
            throw new SluiceException(ErrorCode.FRAME_TOO_LARGE, "the routes of " + response.topics.size()
                    + " topic(s) (" + partitions + " partitions) take about " + bytes + " bytes, over "
                    + TransportConfig.MAX_FRAME_BYTES + "=" + maxBytes + ": ask for fewer topics per request");
        }
        return response;
    }
}
