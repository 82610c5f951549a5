package io.sluice.remoting.fetch;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.protocol.FetchPartition;
import io.sluice.remoting.protocol.FetchRequest;
import io.sluice.remoting.protocol.FetchResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FetchSessionBuilderTest {
    private static FetchPartition p(int partition, long offset) {
        return new FetchPartition("t", partition, offset, 1024, 0);
    }

    private static FetchResponse answer(int sessionId) {
        FetchResponse r = new FetchResponse();
        r.sessionId = sessionId;
        return r;
    }

    @Test
    void afterAFullFetchOnlyChangedAddedAndForgottenPartitionsAreSent() {
        FetchSessionBuilder builder = new FetchSessionBuilder();
        FetchRequest full = builder.build(List.of(p(0, 10), p(1, 20), p(2, 30)), -1, 500, 1, 1 << 20);
        assertThat(full.sessionEpoch).isEqualTo(FetchRequest.INITIAL_EPOCH);
        assertThat(full.partitions).hasSize(3);
        builder.onResponse(answer(42));

        FetchRequest incremental = builder.build(List.of(p(0, 10), p(1, 25), p(3, 0)), -1, 500, 1, 1 << 20);
        assertThat(incremental.sessionId).isEqualTo(42);
        assertThat(incremental.sessionEpoch).isEqualTo(1);
        assertThat(incremental.partitions).extracting(x -> x.partition).containsExactly(1, 3);
        assertThat(incremental.forgotten).extracting(x -> x.partition).containsExactly(2);
        assertThat(builder.sent("t", 0).fetchOffset).as("unchanged, still read at its offset").isEqualTo(10);
        builder.onResponse(answer(42));

        FetchRequest quiet = builder.build(List.of(p(0, 10), p(1, 25), p(3, 0)), -1, 500, 1, 1 << 20);
        assertThat(quiet.sessionEpoch).isEqualTo(2);
        assertThat(quiet.partitions).isEmpty();
        assertThat(quiet.forgotten).isEmpty();
        assertThat(builder.incrementalFetches()).isEqualTo(2);
    }

    @Test
    void anyFailureMakesTheNextRequestAFullFetch() {
        FetchSessionBuilder builder = new FetchSessionBuilder();
        builder.build(List.of(p(0, 10)), -1, 500, 1, 1 << 20);
        builder.onResponse(answer(7));
        builder.build(List.of(p(0, 11)), -1, 500, 1, 1 << 20);
        builder.onError(ErrorCode.NETWORK_ERROR);
        FetchRequest retry = builder.build(List.of(p(0, 11)), -1, 500, 1, 1 << 20);
        assertThat(retry.sessionEpoch).isEqualTo(FetchRequest.INITIAL_EPOCH);
        assertThat(retry.sessionId).as("names the old session so that the broker drops it").isEqualTo(7);
        assertThat(retry.partitions).hasSize(1);
        builder.onError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
        FetchRequest fresh = builder.build(List.of(p(0, 11)), -1, 500, 1, 1 << 20);
        assertThat(fresh.sessionId).isZero();
        assertThat(fresh.sessionEpoch).isEqualTo(FetchRequest.INITIAL_EPOCH);
        builder.onResponse(answer(0)); // the broker kept no session: full fetches go on
        assertThat(builder.build(List.of(p(0, 12)), -1, 500, 1, 1 << 20).sessionEpoch)
                .isEqualTo(FetchRequest.INITIAL_EPOCH);
    }
}
