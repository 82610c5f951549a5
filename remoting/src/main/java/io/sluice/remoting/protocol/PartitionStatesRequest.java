package io.sluice.remoting.protocol;

import io.protostuff.Tag;

/** Ask a broker for the log state of every partition of a topic it hosts. */
public final class PartitionStatesRequest {
    @Tag(1)
    public String topic;

    public PartitionStatesRequest() {
    }
}
