package io.sluice.broker.fetch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.remoting.protocol.FetchPartition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FetchSessionCacheTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void aFullCacheEvictsOnlyASessionIdleLongEnoughElseTheNewFetcherGoesOnWithoutOne() {
        FetchSessionCache cache = new FetchSessionCache(2, 1_000, meters);
        FetchSession a = cache.create(-1, 0);
        FetchSession b = cache.create(-1, 500);
        assertThat(cache.create(-1, 900)).as("both sessions used within the idle time").isNull();
        assertThat(cache.get(a.id(), 1_200)).isSameAs(a); // a used again: b is now the least recently used
        FetchSession c = cache.create(-1, 1_600);
        assertThat(c).isNotNull();
        assertThat(cache.contains(b.id())).isFalse();
        assertThat(cache.contains(a.id())).isTrue();
        assertThat(cache.size()).isEqualTo(2);
        assertThat(meters.get("sluice.broker.fetch.session.evictions").counter().count()).isEqualTo(1);
        assertThat(meters.get("sluice.broker.fetch.sessions").gauge().value()).isEqualTo(2);
        assertThat(meters.get("sluice.broker.fetch.requests").tag("kind", "full").counter().count()).isEqualTo(4);
    }

    @Test
    void aSessionTakesEpochsInOrderAndMovesServedPartitionsToTheEnd() {
        FetchSession s = new FetchSessionCache(1, 0, meters).create(3, 0);
        s.apply(List.of(new FetchPartition("t", 0, 5, 100, 1), new FetchPartition("t", 1, 7, 100, 1),
                new FetchPartition("t", 2, 9, 100, 1)), null);
        assertThat(s.acceptEpoch(2)).isFalse();
        assertThat(s.acceptEpoch(1)).isTrue();
        assertThat(s.nextEpoch()).isEqualTo(2);
        s.servedLast(List.of(s.entries().get(0)));
        assertThat(s.entries()).extracting(e -> e.partition).containsExactly(1, 2, 0);
        assertThat(s.sizeAfter(List.of(new FetchPartition("t", 3, 0, 100, 1)), List.of(new FetchPartition("t", 1,
                0, 0, -1), new FetchPartition("t", 1, 0, 0, -1)))).isEqualTo(3);
        s.apply(List.of(new FetchPartition("t", 2, 11, 200, 1)), List.of(new FetchPartition("t", 1, 0, 0, -1)));
        assertThat(s.entries()).extracting(e -> e.partition + "@" + e.fetchOffset + "/" + e.maxBytes)
                .containsExactly("2@11/200", "0@5/100");
    }
}
