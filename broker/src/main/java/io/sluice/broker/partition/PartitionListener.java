package io.sluice.broker.partition;

import io.sluice.broker.log.LogAppendInfo;

/** Events from partitions, for metrics. Implementations are fast and never throw. */
public interface PartitionListener {
    void onAppend(Partition partition, LogAppendInfo info);

    void onRead(Partition partition, int bytes, int batches, int records);

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
