package io.sluice.client;

import java.util.Collection;

/**
 * Told when a group rebalance takes partitions from this consumer and gives it others. Both methods run on the
 * thread that calls {@code poll}, inside that call. {@link #onPartitionsRevoked} runs before the consumer re-joins,
 * so committing there (e.g. {@code commitSync()}) is the last chance to save progress before the partitions move.
 */
public interface ConsumerRebalanceListener {
    void onPartitionsRevoked(Collection<TopicPartition> partitions);

    void onPartitionsAssigned(Collection<TopicPartition> partitions);

    /** A listener that does nothing. */
    ConsumerRebalanceListener NOOP = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }
    };
}
