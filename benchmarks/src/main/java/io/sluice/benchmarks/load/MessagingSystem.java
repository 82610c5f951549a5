package io.sluice.benchmarks.load;

import java.util.List;

/**
 * What the messaging load generators need from a system under test (Sluice, or Kafka through its own client):
 * create a topic, send records asynchronously, read a topic back. Implementations are thread-compatible: the
 * load generators use each sender and reader from one thread (callbacks may run on the client's threads).
 */
public interface MessagingSystem extends AutoCloseable {
    /** Creates a topic with replication factor 1 and waits until it can be written. */
    void createTopic(String topic, int partitions) throws Exception;

    /**
     * Creates a topic with {@code replicas} replicas and {@code minInSync} in-sync replicas required for acks=all,
     * and waits until it can be written. Systems without replication throw UnsupportedOperationException.
     */
    default void createReplicatedTopic(String topic, int partitions, int replicas, int minInSync) throws Exception {
        throw new UnsupportedOperationException("replication is not available in this system");
    }

    /** A producer with these settings. */
    Sender sender(SenderSettings settings) throws Exception;

    /** A consumer (no group) assigned every partition of {@code topic}, positioned at the beginning. */
    default Reader reader(String topic, int partitions, int maxPollRecords) throws Exception {
        return reader(List.of(topic), partitions, maxPollRecords);
    }

    /**
     * A consumer (no group) assigned partitions 0..{@code partitionsPerTopic}-1 of every topic in {@code topics},
     * positioned at the beginning.
     */
    Reader reader(List<String> topics, int partitionsPerTopic, int maxPollRecords) throws Exception;

    /** Producer settings shared by every system. */
    record SenderSettings(String acks, int lingerMs, int batchBytes, long bufferBytes) {
    }

    /** Sends records; thread-compatible. */
    interface Sender extends AutoCloseable {
        /** Sends {@code value} without a key; {@code onAck}, when not null, runs once it is acknowledged or failed. */
        void send(String topic, byte[] value, AckCallback onAck);

        /** Sends {@code value} without a key to one chosen partition of {@code topic}; as {@link #send}. */
        void send(String topic, int partition, byte[] value, AckCallback onAck);

        /** Returns once every record sent so far is acknowledged or failed. */
        void flush() throws Exception;
    }

    /** Runs when a record is acknowledged ({@code error} null) or fails. */
    @FunctionalInterface
    interface AckCallback {
        void done(Throwable error);
    }

    /** Reads records; thread-compatible. */
    interface Reader extends AutoCloseable {
        /** Waits at most {@code timeoutMs} for records and hands each value to {@code sink}; returns how many. */
        int poll(long timeoutMs, ValueSink sink);
    }

    /** Receives record values. */
    @FunctionalInterface
    interface ValueSink {
        void accept(byte[] value);
    }
}
