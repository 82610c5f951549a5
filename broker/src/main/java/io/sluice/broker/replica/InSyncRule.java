package io.sluice.broker.replica;

import io.sluice.broker.log.LeaderEpochCache;
import io.sluice.broker.partition.Partition;
import io.sluice.broker.partition.ReplicaProgress;

import java.util.ArrayList;
import java.util.List;

/**
 * Which replicas a leader considers in sync: the leader itself; each follower that has been caught up within the
 * last {@code lag.time.max.ms}; and a follower outside the set once its log reaches both the high watermark and
 * the start of the current leader epoch (so it holds everything acknowledged and none of an old leader's
 * divergent tail). Stateless; thread-safe.
 */
final class InSyncRule {
    private InSyncRule() {
    }

    /** The in-sync set the leader should have now, in replica order. */
    static List<Integer> next(Partition p, int self, long nowMs, long lagTimeMaxMs) {
        ReplicaProgress progress = p.progress();
        long hw = p.log().highWatermark();
        LeaderEpochCache.EpochEntry latest = p.log().leaderEpochCache().latestEntry();
        long epochStart = latest != null && latest.epoch() == p.leaderEpoch() ? latest.startOffset() : 0;
        List<Integer> isr = p.isr();
        List<Integer> next = new ArrayList<>(p.replicas().size());
        for (int r : p.replicas()) {
            if (r == self) {
                next.add(r);
            } else if (isr.contains(r)) {
                if (nowMs - progress.lastCaughtUpMs(r) <= lagTimeMaxMs) {
                    next.add(r);
                }
            } else {
                long leo = progress.logEnd(r);
                if (leo >= 0 && leo >= hw && leo >= epochStart
                        && nowMs - progress.lastCaughtUpMs(r) <= lagTimeMaxMs) {
                    next.add(r);
                }
            }
        }
        return next;
    }
}
