package io.sluice.client.internals;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The batches of one partition waiting to be sent, oldest first, and how many of its batches are in flight.
 * Thread-safety: every field is guarded by the queue's own monitor ({@code synchronized (queue)}).
 */
final class PartitionQueue {
    final String topic;
    final int partition;
    final ArrayDeque<ProducerBatch> batches = new ArrayDeque<>();
    int inFlight;
    long nextSequence;

    PartitionQueue(String topic, int partition) {
        this.topic = topic;
        this.partition = partition;
    }

    /** Puts a batch back for a retry, before every batch created after it, so the partition keeps its order. */
    void insertInOrder(ProducerBatch batch) {
        if (batches.isEmpty() || batches.peekFirst().sequence > batch.sequence) {
            batches.addFirst(batch);
            return;
        }
        ArrayDeque<ProducerBatch> older = new ArrayDeque<>();
        while (!batches.isEmpty() && batches.peekFirst().sequence < batch.sequence) {
            older.addLast(batches.pollFirst());
        }
        batches.addFirst(batch);
        for (Iterator<ProducerBatch> it = older.descendingIterator(); it.hasNext(); ) {
            batches.addFirst(it.next());
        }
    }
}
