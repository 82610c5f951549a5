package io.sluice.client;

import java.util.Collection;

/**
 * Told when a group rebalance takes partitions from this consumer and gives it others. Both methods run on the
 * thread that calls {@code poll}, inside that call. {@link #onPartitionsRevoked} runs before the partitions move
 * on, so committing there (e.g. {@code commitSync()}) is the last chance to save progress.
 *
 * <p>With the eager strategies ({@code range}, {@code roundrobin}) every rebalance revokes the whole assignment
 * before re-joining and then assigns the whole new one. With {@code cooperative-sticky} the consumer keeps reading
 * the partitions it keeps: {@link #onPartitionsRevoked} is called only with partitions that move to another member
 * (not at all if none do), and {@link #onPartitionsAssigned} with only the partitions that are new to this consumer
 * (possibly none) once each rebalance completes. A consumer that lost its membership (its session expired) has all
 * its partitions revoked before it joins again.
 */
public interface ConsumerRebalanceListener {
    /** {@code partitions} leave this consumer (see the class comment for which ones). */
    void onPartitionsRevoked(Collection<TopicPartition> partitions);

    /** {@code partitions} were added to this consumer's assignment; they start at their committed offsets. */
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
