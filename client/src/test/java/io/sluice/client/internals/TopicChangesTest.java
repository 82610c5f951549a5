package io.sluice.client.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.remoting.protocol.CreateTopicRequest;
import io.sluice.remoting.protocol.PartitionRoute;
import io.sluice.remoting.protocol.TopicRoute;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a retried create compares the topic it found with the one it asked for. */
class TopicChangesTest {
    private static CreateTopicRequest asked(int partitions, int rf, Map<String, String> configs) {
        CreateTopicRequest r = new CreateTopicRequest();
        r.topic = "t";
        r.partitions = partitions;
        r.replicationFactor = rf;
        r.configs = configs;
        return r;
    }

    private static TopicRoute existing(int partitions, int rf, Map<String, String> configs) {
        TopicRoute t = new TopicRoute();
        t.topic = "t";
        t.replicationFactor = rf;
        t.configs = configs;
        t.partitions = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            PartitionRoute route = new PartitionRoute();
            route.partition = p;
            t.partitions.add(route);
        }
        return t;
    }

    @Test
    void theSameTopicHasNoDifferences() {
        assertThat(TopicChanges.differences(asked(3, 2, Map.of("retention.ms", "1000")),
                existing(3, 2, Map.of("retention.ms", "1000")))).isEmpty();
        // defaults: no partition count asked (the nameserver's default), replication factor 0 means 1, null configs
        assertThat(TopicChanges.differences(asked(0, 0, null), existing(8, 1, Map.of()))).isEmpty();
    }

    @Test
    void everyDifferenceIsNamed() {
        String d = TopicChanges.differences(asked(4, 3, Map.of("retention.ms", "1000")),
                existing(1, 1, Map.of()));
        assertThat(d).isEqualTo("1 partitions, asked 4; replication factor 1, asked 3; configs {}, asked"
                + " {retention.ms=1000}");
        assertThat(TopicChanges.differences(asked(1, 1, Map.of("a", "1")), existing(1, 1, Map.of("a", "2"))))
                .isEqualTo("configs {a=2}, asked {a=1}");
        assertThat(List.of(TopicChanges.differences(asked(1, 1, Map.of()), existing(1, 1, null)))).containsOnly("");
    }
}
