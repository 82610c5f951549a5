package io.sluice.broker.partition;

import io.sluice.broker.log.LogAppendInfo;

/** Events from partitions, for metrics. Implementations are fast and never throw. */
public interface PartitionListener {
    /** A producer's batch was appended by this leader. */
    void onAppend(Partition partition, LogAppendInfo info);

    /** A consumer read records from this leader. */
    void onRead(Partition partition, int bytes, int batches, int records);

    /** This follower appended batches fetched from the leader: replication, counted apart from producers'. */
    default void onReplicaAppend(Partition partition, LogAppendInfo info) {
    }

    /** A follower fetched from this leader: replication, counted apart from consumers'. */
    default void onReplicaRead(Partition partition, int bytes) {
    }

    /** The broker started hosting {@code partition}. */
    default void onHosted(Partition partition) {
    }

    /** The broker stopped hosting {@code partition}. */
    default void onRemoved(Partition partition) {
    }

    PartitionListener NOOP = new PartitionListener() {
        @Override
        public void onAppend(Partition partition, LogAppendInfo info) {
        }

        @Override
        public void onRead(Partition partition, int bytes, int batches, int records) {
        }
    };
}
