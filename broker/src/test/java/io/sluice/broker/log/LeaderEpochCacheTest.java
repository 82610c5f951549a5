package io.sluice.broker.log;

import io.sluice.broker.log.LeaderEpochCache.EpochEndOffset;
import io.sluice.broker.log.LeaderEpochCache.EpochEntry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class LeaderEpochCacheTest {
    private final AtomicLong logEnd = new AtomicLong(100);
    private final AtomicInteger changes = new AtomicInteger();
    private final LeaderEpochCache cache = new LeaderEpochCache(List.of(), logEnd::get, changes::incrementAndGet);

    @Test
    void assignKeepsTheFirstStartOfAnEpochAndDropsContradictions() {
        assertThat(cache.assign(1, 0)).isTrue();
        assertThat(cache.assign(1, 5)).isFalse();
        assertThat(cache.assign(2, 10)).isTrue();
        assertThat(cache.assign(4, 30)).isTrue();
        assertThat(changes.get()).isEqualTo(3);
        // epoch 3 starting at 20 contradicts epoch 4 (higher epoch), which goes
        assertThat(cache.assign(3, 20)).isTrue();
        assertThat(cache.entries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 10),
                new EpochEntry(3, 20));
        // epoch 5 starting at 15 contradicts epoch 3 (later start), which goes
        cache.assign(5, 15);
        assertThat(cache.entries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 10),
                new EpochEntry(5, 15));
        assertThat(cache.latestEpoch()).isEqualTo(5);
        assertThat(cache.epochForOffset(12)).isEqualTo(2);
    }

    @Test
    void endOffsetForFollowsKafka() {
        cache.assign(1, 0);
        cache.assign(3, 40);
        cache.assign(6, 70);
        assertThat(cache.endOffsetFor(6)).isEqualTo(new EpochEndOffset(6, 100));
        assertThat(cache.endOffsetFor(3)).isEqualTo(new EpochEndOffset(3, 70));
        assertThat(cache.endOffsetFor(4)).isEqualTo(new EpochEndOffset(3, 70));
        assertThat(cache.endOffsetFor(2)).isEqualTo(new EpochEndOffset(1, 40));
        assertThat(cache.endOffsetFor(0)).isEqualTo(new EpochEndOffset(0, 0));
        assertThat(cache.endOffsetFor(7).isUndefined()).isTrue();
        assertThat(cache.endOffsetFor(LeaderEpochCache.UNDEFINED_EPOCH).isUndefined()).isTrue();
    }

    @Test
    void truncationFromEitherEnd() {
        cache.assign(1, 0);
        cache.assign(3, 40);
        cache.assign(6, 70);
        cache.truncateFromEnd(70);
        assertThat(cache.entries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 40));
        cache.truncateFromStart(50);
        assertThat(cache.entries()).containsExactly(new EpochEntry(3, 50));
        int before = changes.get();
        cache.truncateFromStart(50);
        cache.truncateFromEnd(60);
        assertThat(changes.get()).isEqualTo(before);
    }
}
