package io.sluice.nameserver;

import io.sluice.registry.PartitionState;
import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.DescribeClusterResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterDescriberTest {
    @Test
    void listsUnderReplicatedAndOfflinePartitionsByTopic() {
        TopicMetadata orders = topic("orders",
                new PartitionState(0, List.of(1, 2, 3), 1, 4, List.of(1, 2, 3), 7),
                new PartitionState(1, List.of(2, 3, 1), 2, 2, List.of(2, 1), 3),
                new PartitionState(2, List.of(3, 1, 2), 3, 5, List.of(3), 9));
        TopicMetadata audit = topic("audit", new PartitionState(0, List.of(1, 2, 3), 1, 0, List.of(1, 2, 3), 0));
        RouteTable routes = RouteTable.build(12, Map.of("orders", orders, "audit", audit),
                List.of(broker(1), broker(2)));

        DescribeClusterResponse d = ClusterDescriber.describe(routes, null);

        assertThat(d.routeVersion).isEqualTo(12);
        assertThat(d.brokers).extracting(b -> b.id).containsExactly(1, 2);
        assertThat(d.controller).isNull();
        assertThat(d.underReplicated).hasSize(1);
        assertThat(d.underReplicated.get(0).topic).isEqualTo("orders");
        assertThat(d.underReplicated.get(0).partitions).extracting(p -> p.partition).containsExactly(1, 2);
        // broker 3 is not live: partition 2 has no leader
        assertThat(d.offline).hasSize(1);
        PartitionRoute offline = d.offline.get(0).partitions.get(0);
        assertThat(offline.partition).isEqualTo(2);
        assertThat(offline.leader).isEqualTo(-1);
        assertThat(offline.isr).containsExactly(3);
        assertThat(ClusterDescriber.count(d.underReplicated)).isEqualTo(2);
        assertThat(d.underReplicatedCount).isEqualTo(2);
        assertThat(d.offlineCount).isEqualTo(1);
    }

    @Test
    void aLargeClusterWithADeadBrokerListsTheFirstThousandAndCountsThemAll() {
        // broker 3 is dead: it led a third of 3 topics x 1,000 partitions, and every partition lost it from its isr
        Map<String, TopicMetadata> topics = new java.util.HashMap<>();
        for (String name : List.of("c", "a", "b")) {
            PartitionState[] states = new PartitionState[1_000];
            for (int p = 0; p < states.length; p++) {
                int leader = 1 + p % 3;
                states[p] = new PartitionState(p, List.of(1, 2, 3), leader, 1, leader == 3 ? List.of(3) : List.of(1, 2),
                        1);
            }
            topics.put(name, topic(name, states));
        }
        RouteTable routes = RouteTable.build(1, topics, List.of(broker(1), broker(2)));

        DescribeClusterResponse d = ClusterDescriber.describe(routes, null);

        assertThat(d.underReplicatedCount).isEqualTo(3_000);
        assertThat(ClusterDescriber.count(d.underReplicated)).isEqualTo(DescribeClusterResponse.MAX_LISTED_PARTITIONS);
        assertThat(d.underReplicated).extracting(t -> t.topic).containsExactly("a");
        assertThat(d.offlineCount).as("partitions 2, 5, ... 998 of each topic").isEqualTo(999);
        assertThat(ClusterDescriber.count(d.offline)).as("under the cap: all listed").isEqualTo(999);
        assertThat(d.offline).extracting(t -> t.topic).containsExactly("a", "b", "c");
        assertThat(d.offline.get(0).partitions).extracting(p -> p.partition).startsWith(2, 5, 8);
    }

    private static TopicMetadata topic(String name, PartitionState... states) {
        return new TopicMetadata(name, "id-" + name, states[0].replicas().size(), Map.of(), List.of(states));
    }

    private static BrokerInfo broker(int id) {
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = 9900 + id;
        return b;
    }
}
