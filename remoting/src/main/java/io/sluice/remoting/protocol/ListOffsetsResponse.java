package io.sluice.remoting.protocol;

import io.protostuff.Tag;

import java.util.List;

/** One result per partition of the {@link ListOffsetsRequest}, in its order. */
public final class ListOffsetsResponse {
    /** tags 1-2 held the one answer of the earlier single-partition form; not reused */
    @Tag(3)
    public List<ListOffsetsPartitionResult> partitions;

    public ListOffsetsResponse() {
    }
}
