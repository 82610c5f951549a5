package io.sluice.client;

import io.sluice.client.internals.SluiceProducer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sends records to Sluice topics. Records are batched per partition in memory (bounded by
 * {@code buffer.memory}) and sent by one background thread to each partition's leader; the returned futures
 * complete when the broker acknowledges (per {@code acks}) or the record fails for good.
 *
 * <p>Thread-safe: one producer is meant to be shared by many threads. Futures complete on the producer's I/O
 * thread: callbacks chained with the non-async {@code CompletableFuture} methods run there and must be short and
 * must not block (use the {@code ...Async} variants for anything slow).
 *
 * <p>Delivery: at least once. Within a partition records are stored in send order (with the default
 * {@code max.in.flight.requests.per.partition=1}). A record whose future completed successfully is stored;
 * {@link #flush()} and {@link #close()} wait for every record sent before them.
 *
 * <pre>{@code
 * try (Producer<String, String> producer = Producer.create(new ProducerConfig().nameservers("127.0.0.1:9876"),
 *         Serdes.string(), Serdes.string())) {
 *     RecordMetadata md = producer.send(new ProducerRecord<>("orders", "key-1", "hello")).join();
 * }
 * }</pre>
 */
public interface Producer<K, V> extends AutoCloseable {

    /**
     * A started producer. Validates {@code config} ({@code INVALID_CONFIG} naming the key if a value is wrong);
     * does not contact any server yet.
     */
    static <K, V> Producer<K, V> create(ProducerConfig config, Serializer<K> keySerializer,
                                        Serializer<V> valueSerializer) {
        return new SluiceProducer<>(config, keySerializer, valueSerializer);
    }

    /**
     * Queues a record for sending. Returns at once unless the buffer is full or the topic's routes are not known
     * yet, in which case it blocks up to {@code max.block.ms}. Never throws for a bad send (only a null record is
     * a {@link NullPointerException}); failures complete the future exceptionally with a
     * {@link io.sluice.remoting.SluiceException}: {@code RECORD_TOO_LARGE}, {@code BUFFER_EXHAUSTED},
     * {@code UNKNOWN_TOPIC}, {@code UNKNOWN_PARTITION}, {@code SERIALIZATION_ERROR}, {@code CLIENT_CLOSED}, or the
     * broker's error once retries or {@code delivery.timeout.ms} are used up ({@code REQUEST_TIMED_OUT}).
     */
    CompletableFuture<RecordMetadata> send(ProducerRecord<K, V> record);

    /**
     * Sends every queued record at once (ignoring {@code linger.ms}) and blocks until every record sent before
     * this call has completed, successfully or not.
     */
    void flush();

    /** The partitions of {@code topic}; blocks up to {@code max.block.ms} for routes ({@code UNKNOWN_TOPIC}). */
    List<PartitionInfo> partitionsFor(String topic);

    /**
     * Flushes, then stops the producer; waits as long as it takes for queued records (bounded by
     * {@code delivery.timeout.ms}). Do not call from a callback of a send future (it runs on the I/O thread).
     */
    @Override
    void close();

    /**
     * Stops accepting records, waits up to {@code timeout} for queued and in-flight records, then fails whatever is
     * left with {@code CLIENT_CLOSED} and releases threads, connections and buffers. Idempotent.
     */
    void close(Duration timeout);
}
