package io.sluice.broker.group;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionAssignorTest {
    private static TreeMap<String, List<String>> members(String topics, String... ids) {
        TreeMap<String, List<String>> m = new TreeMap<>();
        for (String id : ids) {
            m.put(id, List.of(topics.split(",")));
        }
        return m;
    }

    private static List<TopicPart> parts(String topic, int... ps) {
        return java.util.Arrays.stream(ps).mapToObj(p -> new TopicPart(topic, p)).toList();
    }

    @Test
    void rangeGivesContiguousRangesWithTheExtrasFirst() {
        Map<String, List<TopicPart>> a = new RangeAssignor().assign(members("t", "a", "b", "c"), Map.of("t", 7));
        assertThat(a.get("a")).isEqualTo(parts("t", 0, 1, 2));
        assertThat(a.get("b")).isEqualTo(parts("t", 3, 4));
        assertThat(a.get("c")).isEqualTo(parts("t", 5, 6));
    }

    @Test
    void roundRobinDealsInTurnAndSkipsMembersNotSubscribed() {
        TreeMap<String, List<String>> subs = new TreeMap<>();
        subs.put("a", List.of("t", "u"));
        subs.put("b", List.of("t"));
        Map<String, List<TopicPart>> a = new RoundRobinAssignor().assign(subs, Map.of("t", 3, "u", 2));
        assertThat(a.get("a")).containsExactly(new TopicPart("t", 0), new TopicPart("t", 2),
                new TopicPart("u", 0), new TopicPart("u", 1));
        assertThat(a.get("b")).containsExactly(new TopicPart("t", 1));
    }

    @Test
    void everyPartitionGoesToExactlyOneMemberAndMissingTopicsAreSkipped() {
        for (PartitionAssignor assignor : List.of(new RangeAssignor(), new RoundRobinAssignor())) {
            Map<String, List<TopicPart>> a = assignor.assign(members("t,gone", "m1", "m2", "m3", "m4"),
                    Map.of("t", 6));
            Set<TopicPart> seen = new HashSet<>();
            a.values().forEach(list -> list.forEach(tp -> assertThat(seen.add(tp)).isTrue()));
            assertThat(seen).hasSize(6);
            assertThat(a).containsOnlyKeys("m1", "m2", "m3", "m4");
            a.values().forEach(list -> assertThat(list.size()).isBetween(1, 2));
        }
    }

    @Test
    void anUnknownAssignorIsRefusedByName() {
        assertThatThrownBy(() -> PartitionAssignor.forName("sticky-ish"))
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("range, roundrobin, cooperative-sticky");
                });
        assertThat(PartitionAssignor.forName("roundrobin")).isInstanceOf(RoundRobinAssignor.class);
        assertThat(PartitionAssignor.forName("")).isInstanceOf(RangeAssignor.class);
    }
}
