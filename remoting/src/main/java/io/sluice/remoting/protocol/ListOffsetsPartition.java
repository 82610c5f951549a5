package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** One partition of a {@link ListOffsetsRequest} and the timestamp to look up in it. */
public final class ListOffsetsPartition {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    /** {@link ListOffsetsRequest#LATEST}, {@link ListOffsetsRequest#EARLIEST} or a time in ms since the epoch */
    @Tag(3)
    public long timestamp;

    public ListOffsetsPartition() {
    }

    public static ListOffsetsPartition of(String topic, int partition, long timestamp) {
        ListOffsetsPartition p = new ListOffsetsPartition();
        p.topic = topic;
        p.partition = partition;
        p.timestamp = timestamp;
        return p;
    }
}
