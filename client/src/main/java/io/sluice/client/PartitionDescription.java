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
 * @param logEndOffset   offset the next appended record will get
 * @param highWatermark  offset up to which consumers may read (replicated to every in-sync replica)
 */
public record PartitionDescription(int partition, int leader, int leaderEpoch, List<Integer> replicas,
                                   List<Integer> isr, long logStartOffset, long logEndOffset, long highWatermark) {
    public PartitionDescription {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
        isr = isr == null ? List.of() : List.copyOf(isr);
    }
}
