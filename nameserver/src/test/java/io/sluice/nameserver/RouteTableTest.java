package io.sluice.nameserver;

import io.sluice.registry.TopicMetadata;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.BrokerInfo;
import io.sluice.remoting.protocol.GetRoutesResponse;
import io.sluice.remoting.protocol.PartitionRoute;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void namesOnlyAnswersListEveryTopicWithoutRoutes() {
        TopicMetadata a = TopicMetadata.withAssignment("a", List.of(List.of(0)), Map.of());
        TopicMetadata b = TopicMetadata.withAssignment("b", List.of(List.of(0), List.of(0)), Map.of());
        GetRoutesResponse names = RouteTable.build(1, Map.of("b", b, "a", a), List.of(broker(0)))
                .answer(List.of(), true, 1 << 20);
        assertThat(names.topicNames).containsExactly("a", "b");
        assertThat(names.topics).isEmpty();
    }

    @Test
    void aRebuildReusesTheRoutesOfUnchangedTopicsAndRebuildsThoseThatChangedOrWhenBrokersDo() {
        TopicMetadata a = TopicMetadata.withAssignment("a", List.of(List.of(0, 1)), Map.of());
        TopicMetadata b = TopicMetadata.withAssignment("b", List.of(List.of(1, 0)), Map.of());
        RouteTable first = RouteTable.build(1, Map.of("a", a, "b", b), List.of(broker(0), broker(1)));
        TopicMetadata b2 = b.withPartitionState(b.partitionState(0).withLeader(0, 1));
        RouteTable second = RouteTable.build(2, Map.of("a", a, "b", b2), List.of(broker(0), broker(1)), first);
        assertThat(second.route("a")).isSameAs(first.route("a"));
        assertThat(second.route("b").partitions.get(0).leader).isZero();
        RouteTable third = RouteTable.build(3, Map.of("a", a, "b", b2), List.of(broker(1)), second);
        assertThat(third.route("a").partitions.get(0).leader).isEqualTo(-1);
    }

    @Test
    void anAnswerLargerThanTheFrameLimitIsRefusedNamingItsSizeAndTheRemedy() {
        List<List<Integer>> replicas = new java.util.ArrayList<>();
        for (int p = 0; p < 1_000; p++) {
            replicas.add(List.of(0));
        }
        RouteTable table = RouteTable.build(1, Map.of("big", TopicMetadata.withAssignment("big", replicas, Map.of()),
                "small", TopicMetadata.withAssignment("small", List.of(List.of(0)), Map.of())), List.of(broker(0)));
        assertThatThrownBy(() -> table.answer(List.of("big"), false, 8 * 1024))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE))
                .hasMessageContaining("1000 partitions").hasMessageContaining("ask for fewer topics");
        assertThat(table.answer(List.of("small"), false, 8 * 1024).topics).hasSize(1);
    }

    @Test
    void theCountedSizeOfARouteIsNeverBelowItsEncodedSize() {
        List<List<Integer>> replicas = new java.util.ArrayList<>();
        for (int p = 0; p < 300; p++) {
            replicas.add(List.of(p % 3, 200 + p % 7, 70_000));
        }
        TopicMetadata t = TopicMetadata.withAssignment("sized-ü", replicas, Map.of("retention.ms", "86400000"));
        t = t.withPartitionState(t.partitionState(7).withLeader(5, 1_000_000));
        RouteTable table = RouteTable.build(1, Map.of(t.name(), t), List.of(broker(0)));
        io.sluice.remoting.protocol.TopicRoute route = table.route(t.name());
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        try {
            int encoded = io.sluice.remoting.codec.MessageCodec.encode(route, buf);
            assertThat(RouteTable.encodedSize(route)).isBetween(encoded, encoded * 2);
        } finally {
            buf.release();
        }
    }
}
