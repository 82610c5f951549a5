package io.sluice.broker.partition;

import java.util.List;

/** What the cluster assigns one partition: its replicas, leader and leader epoch. */
public record PartitionAssignment(int partition, List<Integer> replicas, int leader, int leaderEpoch) {
}
