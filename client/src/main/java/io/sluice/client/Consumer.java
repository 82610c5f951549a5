package io.sluice.client;

import io.sluice.client.internals.SluiceConsumer;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads records from partitions the application assigns. For every assigned partition the consumer keeps one
 * long-poll fetch outstanding at the partition's leader and prefetches the next while the application processes,
 * holding at most two fetches' worth of bytes per partition. Records come in offset order per partition, without
 * gaps or duplicates.
 *
 * <p>Positions: a newly assigned partition starts where {@code auto.offset.reset} says (the log start by default)
 * unless the application seeks.
 *
 * <p>Groups: with a {@code group.id}, {@link #subscribe} makes the consumer a member of that group: the group's
 * coordinator (a broker) spreads the partitions of the subscribed topics over the members, moves them when members
 * join, leave ({@link #close()} leaves at once) or stop heartbeating for {@code session.timeout.ms}, and stores
 * committed offsets durably. A newly assigned partition starts at its committed offset, or where
 * {@code auto.offset.reset} says if none. Delivery is at-least-once: a record is read again only if its offset was
 * not committed. With {@code partition.assignment.strategy=cooperative-sticky} a rebalance moves as few partitions
 * as possible and the consumer keeps reading the partitions it keeps while the group rebalances; the listener hears
 * only of the partitions that move. With {@code broadcast=true} every member reads every partition, with offsets of
 * its own (see {@link ConsumerConfig#broadcast()}).
 *
 * <p>Not thread-safe: use a consumer from one thread at a time.
 *
 * <pre>{@code
 * try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig(), Serdes.string(), Serdes.string())) {
 *     consumer.assign(List.of(new TopicPartition("orders", 0)));
 *     for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) { ... }
 * }
 * }</pre>
 */
public interface Consumer<K, V> extends AutoCloseable {

    /** A consumer with nothing assigned. Validates {@code config} ({@code INVALID_CONFIG} naming the key). */
    static <K, V> Consumer<K, V> create(ConsumerConfig config, Deserializer<K> keyDeserializer,
                                        Deserializer<V> valueDeserializer) {
        return new SluiceConsumer<>(config, keyDeserializer, valueDeserializer);
    }

    /**
     * Replaces the assignment with {@code partitions}. Partitions kept from the previous assignment keep their
     * positions; buffered data of dropped partitions is discarded.
     */
    void assign(Collection<TopicPartition> partitions);

    /**
     * Joins the consumer's group ({@code group.id}, required) and reads the partitions of {@code topics} the
     * coordinator assigns; the (re-)join happens inside {@code poll}. Not combinable with {@link #assign}.
     */
    default void subscribe(Collection<String> topics) {
        subscribe(topics, ConsumerRebalanceListener.NOOP);
    }

    /** Like {@link #subscribe(Collection)}, telling {@code listener} of partitions revoked and assigned. */
    void subscribe(Collection<String> topics, ConsumerRebalanceListener listener);

    /**
     * Like {@link #subscribe(Collection, ConsumerRebalanceListener)} for every topic whose whole name matches
     * {@code pattern} (internal topics never do): the topics that exist now and those created later, which the
     * consumer notices within {@code metadata.max.age.ms}; a matching topic that is deleted is dropped. Replaces any
     * earlier subscription.
     */
    void subscribe(Pattern pattern, ConsumerRebalanceListener listener);

    /** Like {@link #subscribe(Pattern, ConsumerRebalanceListener)} without a listener. */
    default void subscribe(Pattern pattern) {
        subscribe(pattern, ConsumerRebalanceListener.NOOP);
    }

    /** Leaves the group (committing first with auto-commit) and drops the assignment. */
    void unsubscribe();

    /** The subscribed topics (with a pattern: those it matches now; empty when not subscribed). */
    Set<String> subscription();

    /**
     * Commits the current position of every assigned partition for the group, blocking until the coordinator has
     * stored them (up to {@code default.api.timeout.ms}). Throws ILLEGAL_GENERATION if a rebalance took the
     * partitions from this member in the meantime (the next poll re-joins).
     */
    void commitSync();

    /** Commits the given offsets (each the offset of the next record to read) for the group. */
    void commitSync(Map<TopicPartition, Long> offsets);

    /** Commits the current positions without waiting; {@code callback} (may be null) runs in a later poll. */
    void commitAsync(OffsetCommitCallback callback);

    /** The group's committed offsets of {@code partitions}; partitions without a committed offset are absent. */
    Map<TopicPartition, Long> committed(Set<TopicPartition> partitions);

    /**
     * Stops fetching {@code partitions} and returning their records from {@code poll} until {@link #resume};
     * positions and group membership are kept. A pause ends when a rebalance takes the partition away.
     */
    void pause(Collection<TopicPartition> partitions);

    /** Fetches and returns records of paused {@code partitions} again. */
    void resume(Collection<TopicPartition> partitions);

    /** The partitions paused now. */
    Set<TopicPartition> paused();

    /** The partitions currently assigned. */
    Set<TopicPartition> assignment();

    /** The next {@code poll} returns records of {@code partition} from {@code offset} on. */
    void seek(TopicPartition partition, long offset);

    /** Moves to the log start of each partition (resolved lazily, at the next poll or position). */
    void seekToBeginning(Collection<TopicPartition> partitions);

    /** Moves to the log end of each partition: only records produced after that are returned. */
    void seekToEnd(Collection<TopicPartition> partitions);

    /**
     * The offset of the next record {@code poll} returns for {@code partition}; asks the leader if no position is
     * known yet (blocking up to {@code default.api.timeout.ms}).
     */
    long position(TopicPartition partition);

    /**
     * For each partition, the first offset whose record timestamp is at or after the given timestamp, and that
     * record's timestamp; the value is null when no such record exists. Blocks up to {@code default.api.timeout.ms}.
     */
    Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> timestamps);

    /** The first offset still stored in each partition. Blocks up to {@code default.api.timeout.ms}. */
    Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions);

    /**
     * The offset after the last readable record (the high watermark) of each partition. Blocks up to
     * {@code default.api.timeout.ms}.
     */
    Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions);

    /** The partitions of {@code topic}; {@code UNKNOWN_TOPIC} if it does not exist. */
    List<PartitionInfo> partitionsFor(String topic);

    /**
     * Returns records available now, or waits up to {@code timeout} for some; at most {@code max.poll.records}.
     * Returns an empty set when the time is up (or at once if the thread is interrupted; the interrupt flag stays
     * set). Throws a {@link io.sluice.remoting.SluiceException} for errors the
     * application must see: {@code OFFSET_OUT_OF_RANGE} with {@code auto.offset.reset=none},
     * {@code SERIALIZATION_ERROR} (the position stays at the bad record; seek past it), {@code CORRUPT_RECORD}, or a
     * broker error that cannot be retried. Retriable errors (leader moves, timeouts) are retried inside.
     */
    ConsumerRecords<K, V> poll(Duration timeout);

    /** Stops fetching and releases connections, threads and buffers. Idempotent. */
    @Override
    void close();
}
