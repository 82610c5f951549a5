package io.sluice.client.internals;

import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.TopicRoute;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One snapshot of the routes a client knows: topics, live brokers and the nameserver route-table version they
 * come from. Immutable and thread-safe; a {@link RouteCache} swaps in a new snapshot after each answer.
 */
final class Routes {
    static final Routes EMPTY = new Routes(-1, Map.of(), Map.of(), Set.of());

    private final long version;
    private final Map<String, TopicRoutes> topics;
    private final Map<Integer, InetSocketAddress> brokers;
    private final Set<String> unknownTopics;

    private Routes(long version, Map<String, TopicRoutes> topics, Map<Integer, InetSocketAddress> brokers,
                   Set<String> unknownTopics) {
        this.version = version;
        this.topics = topics;
        this.brokers = brokers;
        this.unknownTopics = unknownTopics;
    }

    public long version() {
        return version;
    }

    public TopicRoutes topic(String name) {
        return topics.get(name);
    }

    public Map<Integer, InetSocketAddress> brokers() {
        return brokers;
    }

    public InetSocketAddress broker(int id) {
        return brokers.get(id);
    }

    /** Topics the last answer said do not exist. */
    public Set<String> unknownTopics() {
        return unknownTopics;
    }

    /**
     * This snapshot updated with a nameserver answer: the answer's topics and brokers replace what was known, topics
     * it does not mention stay, and topics it reports unknown are dropped. Route versions are counted by each
     * nameserver on its own, so they are not compared: the latest answer wins (refreshes are never concurrent).
     */
    Routes merge(GetRoutesResponse response) {
        Map<Integer, InetSocketAddress> newBrokers = new HashMap<>();
        if (response.brokers != null) {
            for (BrokerInfo b : response.brokers) {
                newBrokers.put(b.id, InetSocketAddress.createUnresolved(b.host, b.port));
            }
        }
        resolve(newBrokers);
        Map<String, TopicRoutes> newTopics = new HashMap<>(topics);
        if (response.topics != null) {
            for (TopicRoute t : response.topics) {
                if (t.topic != null) {
                    newTopics.put(t.topic, new TopicRoutes(t, newBrokers));
                }
            }
        }
        Set<String> unknown = response.unknownTopics == null ? Set.of() : Set.copyOf(response.unknownTopics);
        for (String t : unknown) {
            newTopics.remove(t);
        }
        return new Routes(response.version, Map.copyOf(newTopics), Map.copyOf(newBrokers), unknown);
    }

    private static void resolve(Map<Integer, InetSocketAddress> brokers) {
        for (Map.Entry<Integer, InetSocketAddress> e : brokers.entrySet()) {
            InetSocketAddress a = e.getValue();
            if (a.isUnresolved()) {
                e.setValue(new InetSocketAddress(a.getHostString(), a.getPort()));
            }
        }
    }
}
