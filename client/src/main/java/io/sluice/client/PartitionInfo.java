package io.sluice.client;

import java.util.List;

/**
 * Where one partition lives, as the nameserver last said. Immutable.
 *
 * @param topic       the topic
 * @param partition   the partition
 * @param leader      broker id of the leader, -1 when none is available
 * @param leaderEpoch the leader epoch
 * @param replicas    broker ids of all replicas
 * @param isr         broker ids of the in-sync replicas
 */
public record PartitionInfo(String topic, int partition, int leader, int leaderEpoch, List<Integer> replicas,
                            List<Integer> isr) {
    public PartitionInfo {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
        isr = isr == null ? List.of() : List.copyOf(isr);
    }
}
