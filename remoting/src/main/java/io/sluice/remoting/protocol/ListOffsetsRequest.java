package io.sluice.remoting.protocol;

import io.protostuff.Tag;

import java.util.List;

/**
 * Find offsets of many partitions led by one broker by timestamp (protocol version 2): per partition,
 * {@link #LATEST} (-1) is the end a consumer may read to, {@link #EARLIEST} (-2) the log start, any other timestamp
 * the first offset whose record's timestamp is at or after it. Each partition is answered on its own
 * ({@link ListOffsetsResponse}); an error for one does not fail the others.
 */
public final class ListOffsetsRequest {
    public static final long LATEST = -1L;
    public static final long EARLIEST = -2L;
    /** Most partitions one request may name; a broker refuses more with INVALID_REQUEST. */
    public static final int MAX_PARTITIONS = FetchRequest.MAX_PARTITIONS;

    /** tags 1-3 held the one partition of the earlier single-partition form; not reused */
    @Tag(4)
    public List<ListOffsetsPartition> partitions;

    public ListOffsetsRequest() {
    }

    public static ListOffsetsRequest of(List<ListOffsetsPartition> partitions) {
        ListOffsetsRequest request = new ListOffsetsRequest();
        request.partitions = partitions;
        return request;
    }
}
