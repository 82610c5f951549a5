package io.sluice.client;

import java.util.List;

/**
 * One partition of a described topic: its placement (from the nameserver) and its log offsets (from its leader;
 * -1 when the leader could not be asked). Immutable.
 *
 * @param partition      the partition
 * @param leader         broker id of the leader, -1 when none is available
 * @param leaderEpoch    the leader epoch
 * @param replicas       broker ids of all replicas
 * @param isr            broker ids of the in-sync replicas
 * @param logStartOffset first offset still in the log
 * @param logEndOffset   offset the next appended record will get (on the leader)
 * @param highWatermark  offset up to which consumers may read (replicated to every in-sync replica)
 * @param replicaLogs    each replica's log end as the leader tracks it, in replica order; empty when the leader
 *                       could not be asked
 */
public record PartitionDescription(int partition, int leader, int leaderEpoch, List<Integer> replicas,
                                   List<Integer> isr, long logStartOffset, long logEndOffset, long highWatermark,
                                   List<ReplicaLog> replicaLogs) {
    public PartitionDescription {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
        isr = isr == null ? List.of() : List.copyOf(isr);
        replicaLogs = replicaLogs == null ? List.of() : List.copyOf(replicaLogs);
    }

    /**
     * One replica's log as the partition's leader sees it.
     *
     * @param broker       the replica's broker id
     * @param logEndOffset the replica's log end (a follower's last fetch offset); -1 when the leader has not heard
     *                     from it since it took over
     * @param lagMs        milliseconds since the replica was last caught up with the leader (0 for the leader)
     */
    public record ReplicaLog(int broker, long logEndOffset, long lagMs) {
    }
}
