package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.client.TopicPartition;
import io.sluice.remoting.transport.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How much a partition prefetches: what is always allowed, what only the consumer's buffer budget allows. */
class PartitionFetchStateTest {
    private final List<ByteBuf> payloads = new ArrayList<>();

    private CompletedFetch fetchOf(int bytes) {
        ByteBuf payload = Unpooled.buffer(bytes).writeZero(bytes);
        payloads.add(payload);
        return new CompletedFetch(new TopicPartition("t", 0), new Response(null, payload), true);
    }

    @Test
    void twoFetchesAreAlwaysHeldAndUpToFourWithinTheBudget() {
        PartitionFetchState s = new PartitionFetchState(new TopicPartition("t", 0));
        assertThat(s.canFetch(0, true)).as("no position yet").isFalse();
        s.seek(0);
        assertThat(s.canFetch(0, false)).isTrue();
        s.buffered.addLast(fetchOf(100));
        assertThat(s.canFetch(0, false)).isTrue();
        s.buffered.addLast(fetchOf(200));
        assertThat(s.canFetch(0, false)).as("two held, no budget left").isFalse();
        assertThat(s.canFetch(0, true)).as("two held, budget left").isTrue();
        s.buffered.addLast(fetchOf(300));
        s.buffered.addLast(fetchOf(400));
        assertThat(s.canFetch(0, true)).as("the most a partition holds").isFalse();
        assertThat(s.bufferedBytes()).isEqualTo(1_000);

        s.clearBuffered();
        assertThat(s.bufferedBytes()).isZero();
        assertThat(payloads).allSatisfy(p -> assertThat(p.refCnt()).as("released").isZero());
    }

    @Test
    void oneLiveFetchInFlightAtATimeAndNoneWhilePaused() {
        PartitionFetchState s = new PartitionFetchState(new TopicPartition("t", 0));
        s.seek(5);
        s.fetchesInFlight = 1;
        s.liveFetchEpoch = s.epoch;
        assertThat(s.canFetch(0, true)).as("the next offset is known only from the answer").isFalse();
        s.seek(9); // the fetch in flight is now stale: a fetch at the new position may go
        assertThat(s.canFetch(0, true)).isTrue();
        s.paused = true;
        assertThat(s.canFetch(0, true)).isFalse();
    }
}
