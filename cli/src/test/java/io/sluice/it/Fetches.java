package io.sluice.it;

import io.sluice.remoting.protocol.FetchPartition;
import io.sluice.remoting.protocol.FetchRequest;

import java.util.ArrayList;
import java.util.List;

/** Fetch requests as a consumer sends them, built by hand for tests that talk to a broker directly. */
final class Fetches {
    private Fetches() {
    }

    /** A sessionless consumer fetch of one partition. */
    static FetchRequest one(String topic, int partition, long offset, int maxBytes, int maxWaitMs) {
        return sessionless(maxBytes, maxWaitMs, new FetchPartition(topic, partition, offset, maxBytes, -1));
    }

    /** A sessionless consumer fetch of {@code partitions}, at most {@code maxBytes} in all. */
    static FetchRequest sessionless(int maxBytes, int maxWaitMs, FetchPartition... partitions) {
        FetchRequest request = new FetchRequest();
        request.replicaId = -1;
        request.maxBytes = maxBytes;
        request.maxWaitMs = maxWaitMs;
        request.minBytes = 1;
        request.sessionEpoch = FetchRequest.FINAL_EPOCH;
        request.partitions = new ArrayList<>(List.of(partitions));
        return request;
    }
}
