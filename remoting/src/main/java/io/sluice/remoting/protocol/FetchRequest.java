package io.sluice.remoting.protocol;

import io.protostuff.Tag;

import java.util.List;

/**
 * Read record batches of many partitions led by one broker (protocol version 2). The broker answers each partition
 * on its own (an error for one does not fail the others) and parks the request up to {@code maxWaitMs} while fewer
 * than {@code minBytes} are readable across them.
 *
 * <p>Fetch sessions (Kafka's KIP-227), so that a fetcher of thousands of partitions sends and receives only what
 * changed: {@code sessionEpoch} {@link #INITIAL_EPOCH} is a full fetch that (re)creates a session for the partitions
 * listed (the answer carries its id, 0 when the broker kept none); {@link #FINAL_EPOCH} is a full fetch without a
 * session. Any other epoch is an incremental fetch in session {@code sessionId}: it lists only the partitions added
 * or whose fetch offset or limits changed, plus {@code forgotten} ones; the others are fetched as last sent.
 */
public final class FetchRequest {
    /** Epoch of a full fetch that creates a session (closing the one named by {@code sessionId}, if any). */
    public static final int INITIAL_EPOCH = 0;
    /** Epoch of a full fetch without a session (closing the one named by {@code sessionId}, if any). */
    public static final int FINAL_EPOCH = -1;
    /** Most partitions one request (or one session) may hold; a broker refuses more with INVALID_REQUEST. */
    public static final int MAX_PARTITIONS = 10_000;

    /** -1 for consumers (read up to the high watermark); a broker id for followers (read up to the log end) */
    @Tag(1)
    public int replicaId;
    @Tag(2)
    public int maxWaitMs;
    /** bytes, across all partitions, worth answering for before maxWaitMs passes */
    @Tag(3)
    public int minBytes;
    /** upper bound on the whole payload (but the first partition with data returns at least one whole batch) */
    @Tag(4)
    public int maxBytes;
    /** 0 for none */
    @Tag(5)
    public int sessionId;
    @Tag(6)
    public int sessionEpoch;
    /** a full fetch: every partition; an incremental one: the partitions added or changed */
    @Tag(7)
    public List<FetchPartition> partitions;
    /** incremental fetches: partitions to drop from the session (only topic and partition are read) */
    @Tag(8)
    public List<FetchPartition> forgotten;

    public FetchRequest() {
    }
}
