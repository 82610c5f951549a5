package io.sluice.client;

import java.util.List;
import java.util.Map;

/**
 * What {@link Admin#describeTopic} knows about a topic. Immutable.
 *
 * @param name              the topic
 * @param replicationFactor copies of each partition
 * @param configs           per-topic settings
 * @param partitions        every partition, ordered by partition number
 */
public record TopicDescription(String name, int replicationFactor, Map<String, String> configs,
                               List<PartitionDescription> partitions) {
    public TopicDescription {
        configs = configs == null ? Map.of() : Map.copyOf(configs);
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
    }
}
