package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;
import java.util.Map;

/** Where every partition of a topic lives, and the topic's settings. */
public final class TopicRoute {
    @Tag(1)
    public String topic;
    @Tag(2)
    public List<PartitionRoute> partitions;
    @Tag(3)
    public int replicationFactor;
    @Tag(4)
    public Map<String,String> configs;

    public TopicRoute() {
    }
}
