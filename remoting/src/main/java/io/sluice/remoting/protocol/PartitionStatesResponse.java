package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;

/** The log state of each partition of the topic hosted by the answering broker. */
public final class PartitionStatesResponse {
    @Tag(1)
    public List<PartitionLogState> partitions;

    public PartitionStatesResponse() {
    }
}
