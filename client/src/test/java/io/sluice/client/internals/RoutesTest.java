package io.sluice.client.internals;

import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.TopicRoute;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RoutesTest {

    private static GetRoutesResponse answer(long version, String topic, int leader, int port) {
        GetRoutesResponse r = new GetRoutesResponse();
        r.version = version;
        BrokerInfo b = new BrokerInfo();
        b.id = leader;
        b.host = "127.0.0.1";
        b.port = port;
        r.brokers = List.of(b);
        TopicRoute t = new TopicRoute();
        t.topic = topic;
        PartitionRoute p0 = new PartitionRoute();
        p0.partition = 1;
        p0.leader = leader;
        p0.leaderEpoch = (int) version;
        PartitionRoute p1 = new PartitionRoute();
        p1.partition = 0;
        p1.leader = -1;
        t.partitions = List.of(p0, p1);
        r.topics = List.of(t);
        return r;
    }

    @Test
    void partitionsAreIndexedByNumberAndResolvedToLeaderAddresses() {
        Routes routes = Routes.EMPTY.merge(answer(3, "t", 7, 9911));
        TopicRoutes t = routes.topic("t");
        assertThat(t.partitionCount()).isEqualTo(2);
        assertThat(t.leader(1).getPort()).isEqualTo(9911);
        assertThat(t.leader(1).isUnresolved()).isFalse();
        assertThat(t.leader(0)).as("no leader").isNull();
        assertThat(t.leader(5)).isNull();
        assertThat(t.availablePartitions()).containsExactly(1);
        assertThat(t.leaderEpoch(1)).isEqualTo(3);
        assertThat(t.partitionInfos().get(1).leader()).isEqualTo(7);
        assertThat(routes.version()).isEqualTo(3);
    }

    @Test
    void theLatestAnswerWinsAndKeepsTopicsItDoesNotMention() {
        Routes routes = Routes.EMPTY.merge(answer(50, "t", 2, 9912));
        Routes afterFailover = routes.merge(answer(3, "u", 1, 9911));
        assertThat(afterFailover.topic("t")).as("not mentioned: kept").isNotNull();
        assertThat(afterFailover.topic("u").leader(1).getPort()).isEqualTo(9911);
        Routes moved = afterFailover.merge(answer(4, "t", 1, 9911));
        assertThat(moved.topic("t").leader(1).getPort())
                .as("another nameserver's smaller version is not older news").isEqualTo(9911);
    }

    @Test
    void topicsReportedUnknownAreDropped() {
        Routes routes = Routes.EMPTY.merge(answer(1, "t", 1, 9911));
        GetRoutesResponse gone = new GetRoutesResponse();
        gone.version = 2;
        gone.unknownTopics = List.of("t");
        Routes after = routes.merge(gone);
        assertThat(after.topic("t")).isNull();
        assertThat(after.unknownTopics()).containsExactly("t");
    }
}
