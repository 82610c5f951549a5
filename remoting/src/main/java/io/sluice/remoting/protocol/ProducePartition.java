package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** One batch of a {@link ProduceRequest}: where it goes and how many payload bytes it takes. */
public final class ProducePartition {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    /** length of this partition's batch in the request payload */
    @Tag(3)
    public int batchBytes;

    public ProducePartition() {
    }

    public ProducePartition(String topic, int partition, int batchBytes) {
        this.topic = topic;
        this.partition = partition;
        this.batchBytes = batchBytes;
    }
}
