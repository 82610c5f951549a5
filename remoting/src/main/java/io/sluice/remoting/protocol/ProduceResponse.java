package io.sluice.remoting.protocol;

import io.protostuff.Tag;

import java.util.List;

/**
 * The outcome of a {@link ProduceRequest}, one result per entry of the request, in the same order: a partition
 * that failed (unknown, not led here, batch too large or corrupt, storage full, not replicated in time) carries its
 * error while the others carry where their batch landed.
 */
public final class ProduceResponse {
    @Tag(1)
    public List<ProducePartitionResult> partitions;

    public ProduceResponse() {
    }
}
