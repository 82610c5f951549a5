package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** One partition of a {@link FetchRequest}: where to read from and how much. */
public final class FetchPartition {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    /** offset of the first record wanted; for a follower, also its log end, which moves the high watermark */
    @Tag(3)
    public long fetchOffset;
    /** upper bound on this partition's share of the payload (a larger first batch still comes whole) */
    @Tag(4)
    public int partitionMaxBytes;
    /** the fetcher's view of the leader epoch, -1 if unknown; followers must name the current one */
    @Tag(5)
    public int currentLeaderEpoch;

    public FetchPartition() {
    }

    public FetchPartition(String topic, int partition, long fetchOffset, int partitionMaxBytes,
                          int currentLeaderEpoch) {
        this.topic = topic;
        this.partition = partition;
        this.fetchOffset = fetchOffset;
        this.partitionMaxBytes = partitionMaxBytes;
        this.currentLeaderEpoch = currentLeaderEpoch;
    }
}
