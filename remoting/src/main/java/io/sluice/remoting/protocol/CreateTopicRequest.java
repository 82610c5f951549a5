package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.Map;

/** Create a topic with the given partitions, replication factor and per-topic configs (e.g. retention.ms). */
public final class CreateTopicRequest {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partitions;
    @Tag(3)
    public int replicationFactor;
    @Tag(4)
    public Map<String,String> configs;

    public CreateTopicRequest() {
    }
}
