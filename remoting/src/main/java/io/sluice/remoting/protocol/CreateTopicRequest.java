package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.Map;

/** Create a topic with the given partitions, replication factor and per-topic configs (e.g. retention.ms). */
public final class CreateTopicRequest {
    @Tag(1)
    public String topic;
    /** At least 1, or 0 for the nameserver's {@code sluice.nameserver.default.partitions}. */
    @Tag(2)
    public int partitions;
    /** At least 1, or 0 for the default, 1. */
    @Tag(3)
    public int replicationFactor;
    @Tag(4)
    public Map<String,String> configs;

    public CreateTopicRequest() {
    }
}
