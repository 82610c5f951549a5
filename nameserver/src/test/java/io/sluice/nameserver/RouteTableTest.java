package io.sluice.nameserver;

import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTableTest {
    private static BrokerInfo broker(int id) {
        BrokerInfo b = new BrokerInfo();
        b.id = id;
        b.host = "127.0.0.1";
        b.port = 9911 + id;
        return b;
    }

    @Test
    void partitionWhoseLeaderIsNotLiveIsRoutedWithoutLeader() {
        TopicMetadata orders = TopicMetadata.withAssignment("orders", List.of(List.of(0), List.of(1)), Map.of());
        RouteTable table = RouteTable.build(7, Map.of("orders", orders), List.of(broker(0)));
        List<PartitionRoute> routes = table.route("orders").partitions;
        assertThat(routes.get(0).leader).isEqualTo(0);
        assertThat(routes.get(1).leader).isEqualTo(-1);
        assertThat(table.version()).isEqualTo(7);
    }

    @Test
    void answerNamesUnknownTopicsAndListsAllWhenAskedForNone() {
        TopicMetadata a = TopicMetadata.withAssignment("a", List.of(List.of(0)), Map.of());
        TopicMetadata b = TopicMetadata.withAssignment("b", List.of(List.of(0)), Map.of("retention.ms", "1000"));
        RouteTable table = RouteTable.build(1, Map.of("a", a, "b", b), List.of(broker(0)));
        GetRoutesResponse some = table.answer(List.of("b", "missing"));
        assertThat(some.topics).extracting(t -> t.topic).containsExactly("b");
        assertThat(some.topics.get(0).configs).containsEntry("retention.ms", "1000");
        assertThat(some.unknownTopics).containsExactly("missing");
        GetRoutesResponse all = table.answer(List.of());
        assertThat(all.topics).extracting(t -> t.topic).containsExactly("a", "b");
        assertThat(all.brokers).extracting(x -> x.id).containsExactly(0);
    }
}
