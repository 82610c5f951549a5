package io.sluice.client.internals;

import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.TopicRoute;

import java.util.ArrayList;
import java.util.List;

/** Builds route snapshots as a nameserver would answer them, for tests of the client internals. */
final class TestRoutes {
    private TestRoutes() {
    }

    /** Routes of one topic whose partitions are led by broker 1 at 127.0.0.1:port, except those in {@code leaderless}. */
    static Routes of(String topic, int partitions, int port, int... leaderless) {
        GetRoutesResponse response = new GetRoutesResponse();
        response.version = 1;
        BrokerInfo broker = new BrokerInfo();
        broker.id = 1;
        broker.host = "127.0.0.1";
        broker.port = port;
        response.brokers = List.of(broker);
        TopicRoute route = new TopicRoute();
        route.topic = topic;
        route.replicationFactor = 1;
        route.partitions = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            PartitionRoute pr = new PartitionRoute();
            pr.partition = p;
            pr.leader = contains(leaderless, p) ? -1 : 1;
            pr.leaderEpoch = 3;
            pr.replicas = List.of(1);
            pr.isr = List.of(1);
            route.partitions.add(pr);
        }
        response.topics = List.of(route);
        return Routes.EMPTY.merge(response);
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
