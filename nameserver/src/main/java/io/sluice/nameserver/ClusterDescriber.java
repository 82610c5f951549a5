package io.sluice.nameserver;

import io.sluice.registry.RegistryStatus;
import io.sluice.remoting.protocol.DescribeClusterResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.RegistryState;
import io.sluice.remoting.protocol.TopicRoute;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Answers DESCRIBE_CLUSTER from a route table and the controller as last seen: live brokers, the active controller
 * and its epoch, under-replicated partitions (in-sync set smaller than the replica set) and offline partitions (no
 * live leader). Any nameserver answers, active controller or not: the election tells every participant who leads.
 * Stateless; thread-safe.
 */
final class ClusterDescriber {
    private ClusterDescriber() {
    }

    /** {@code controller} may be null (controller disabled or not started yet): the controller is then unknown. */
    static DescribeClusterResponse describe(RouteTable routes, Controller controller) {
        DescribeClusterResponse response = new DescribeClusterResponse();
        response.routeVersion = routes.version();
        response.brokers = new ArrayList<>(routes.brokers());
        if (controller != null) {
            response.controller = controller.activeId();
            response.controllerEpoch = controller.epoch();
        }
        List<TopicRoute> topics = new ArrayList<>();
        for (String name : routes.topicNames()) {
            topics.add(routes.route(name));
        }
        topics.sort((a, b) -> a.topic.compareTo(b.topic));
        int[] count = new int[1];
        response.underReplicated = select(topics, p -> size(p.isr) < size(p.replicas), count);
        response.underReplicatedCount = count[0];
        response.offline = select(topics, p -> p.leader < 0, count);
        response.offlineCount = count[0];
        return response;
    }

    /** The registry connection as {@code status} reports it, for the answer's {@code registry} field. */
    static RegistryState registry(RegistryStatus status, long nowMs) {
        RegistryState state = new RegistryState();
        state.state = status.state().name();
        state.sinceMs = status.sinceMs();
        state.forMs = status.forMs(nowMs);
        state.connectString = status.connectString();
        return state;
    }

    /**
     * The first {@link DescribeClusterResponse#MAX_LISTED_PARTITIONS} partitions matching {@code filter}, grouped
     * under their topics (topics without one are left out); {@code count[0]} is set to how many match in all.
     */
    private static List<TopicRoute> select(List<TopicRoute> topics, Predicate<PartitionRoute> filter, int[] count) {
        List<TopicRoute> out = new ArrayList<>();
        int listed = 0;
        int matched = 0;
        for (TopicRoute t : topics) {
            List<PartitionRoute> matching = new ArrayList<>();
            for (PartitionRoute p : t.partitions == null ? List.<PartitionRoute>of() : t.partitions) {
                if (filter.test(p)) {
                    matched++;
                    if (listed < DescribeClusterResponse.MAX_LISTED_PARTITIONS) {
                        matching.add(p);
                        listed++;
                    }
                }
            }
            if (!matching.isEmpty()) {
                TopicRoute copy = new TopicRoute();
                copy.topic = t.topic;
                copy.replicationFactor = t.replicationFactor;
                copy.partitions = matching;
                out.add(copy);
            }
        }
        count[0] = matched;
        return out;
    }

    /** How many partitions {@code topics} hold. */
    static int count(List<TopicRoute> topics) {
        int n = 0;
        for (TopicRoute t : topics) {
            n += t.partitions.size();
        }
        return n;
    }

    private static int size(List<Integer> ids) {
        return ids == null ? 0 : ids.size();
    }
}
