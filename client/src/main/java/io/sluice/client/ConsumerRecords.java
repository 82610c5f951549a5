package io.sluice.client;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The records one {@link Consumer#poll} returned, grouped by partition; within a partition in offset order.
 * Iterating visits partition after partition. Immutable; safe to keep after the next poll.
 */
public final class ConsumerRecords<K, V> implements Iterable<ConsumerRecord<K, V>> {
    private static final ConsumerRecords<?, ?> EMPTY = new ConsumerRecords<>(Map.of(), 0);

    private final Map<TopicPartition, List<ConsumerRecord<K, V>>> records;
    private final int count;

    /** Records per partition; the map and lists are taken as they are and must not change afterwards. */
    public ConsumerRecords(Map<TopicPartition, List<ConsumerRecord<K, V>>> records) {
        this(Collections.unmodifiableMap(records), countOf(records));
    }

    private ConsumerRecords(Map<TopicPartition, List<ConsumerRecord<K, V>>> records, int count) {
        this.records = records;
        this.count = count;
    }

    private static int countOf(Map<TopicPartition, ? extends List<?>> records) {
        int n = 0;
        for (List<?> list : records.values()) {
            n += list.size();
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    public static <K, V> ConsumerRecords<K, V> empty() {
        return (ConsumerRecords<K, V>) EMPTY;
    }

    /** The records of one partition, in offset order; empty if none. */
    public List<ConsumerRecord<K, V>> records(TopicPartition partition) {
        List<ConsumerRecord<K, V>> list = records.get(partition);
        return list == null ? List.of() : Collections.unmodifiableList(list);
    }

    /** The partitions that have records in this set. */
    public Set<TopicPartition> partitions() {
        return records.keySet();
    }

    public int count() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    @Override
    public Iterator<ConsumerRecord<K, V>> iterator() {
        Iterator<List<ConsumerRecord<K, V>>> lists = records.values().iterator();
        return new Iterator<>() {
            private Iterator<ConsumerRecord<K, V>> current = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && lists.hasNext()) {
                    current = lists.next().iterator();
                }
                return current.hasNext();
            }

            @Override
            public ConsumerRecord<K, V> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    @Override
    public String toString() {
        return "ConsumerRecords[" + count + " records from " + records.size() + " partitions]";
    }
}
