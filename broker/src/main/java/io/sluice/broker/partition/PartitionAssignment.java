package io.sluice.broker.partition;

import java.util.List;

/**
 * What the cluster assigns one partition: its replicas, leader, leader epoch, in-sync replicas, and the registry
 * version of that state (which an in-sync-set write by the leader compares against).
 */
public record PartitionAssignment(int partition, List<Integer> replicas, int leader, int leaderEpoch,
        List<Integer> isr, int version) {
}
