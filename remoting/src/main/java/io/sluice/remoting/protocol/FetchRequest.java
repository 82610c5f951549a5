package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** Read record batches of one partition from an offset; the broker parks the request up to maxWaitMs until minBytes are available. */
public final class FetchRequest {
    @Tag(1)
    public String topic;
    @Tag(2)
    public int partition;
    @Tag(3)
    public long offset;
    /** upper bound on the payload size (at least one batch is returned if the first is larger) */
    @Tag(4)
    public int maxBytes;
    @Tag(5)
    public int maxWaitMs;
    @Tag(6)
    public int minBytes;
    /** -1 for consumers (read up to the high watermark); a broker id for followers (read up to the log end) */
    @Tag(7)
    public int replicaId;
    /** followers: their log end, for the leader's in-sync tracking */
    @Tag(8)
    public long replicaLogEndOffset;
    /** the fetcher's view of the leader epoch, -1 if unknown */
    @Tag(9)
    public int leaderEpoch;

    public FetchRequest() {
    }
}
