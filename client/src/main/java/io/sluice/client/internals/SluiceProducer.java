package io.sluice.client.internals;

import io.netty.buffer.PooledByteBufAllocator;
import io.sluice.client.Header;
import io.sluice.client.PartitionInfo;
import io.sluice.client.Partitioner;
import io.sluice.client.Producer;
import io.sluice.client.ProducerConfig;
import io.sluice.client.ProducerRecord;
import io.sluice.client.RecordMetadata;
import io.sluice.client.Serializer;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.TopicNames;
import io.sluice.remoting.record.RecordBatch;
import io.sluice.remoting.record.RecordBatchBuilder;
import io.sluice.remoting.transport.RemotingClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link Producer} implementation: serializes and partitions on the caller's thread, appends into the
 * {@link RecordAccumulator}, and leaves sending to the {@link Sender} thread. Thread-safe.
 */
public final class SluiceProducer<K, V> implements Producer<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceProducer.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String clientId;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final Partitioner partitioner;
    private final StickyPartitions sticky = new StickyPartitions();
    private final int maxRequestSize;
    private final long maxBlockNs;
    private final RemotingClient client;
    private final RouteCache routes;
    private final BufferPool pool;
    private final RecordAccumulator accumulator;
    private final Sender sender;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closeDone = new CompletableFuture<>();

    public SluiceProducer(ProducerConfig config, Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        config.conclude();
        this.clientId = config.clientId() != null ? config.clientId() : "producer-" + IDS.incrementAndGet();
        this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
        this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
        this.partitioner = config.partitioner();
        this.maxRequestSize = config.maxRequestSize();
        this.maxBlockNs = TimeUnit.MILLISECONDS.toNanos(config.maxBlockMs());
        Backoff backoff = new Backoff(config.retryBackoffMs(), config.retryBackoffMaxMs());
        this.client = new RemotingClient(clientId, config.transport(), config.meterRegistry());
        try {
            NameserverClient nameservers = new NameserverClient(client,
                    ConfigSupport.parseAddresses(ProducerConfig.NAMESERVERS, config.nameservers()));
            this.routes = new RouteCache(nameservers, config.requestTimeoutMs(), backoff, config.metadataMaxAgeMs());
            Runnable wake = this::wakeSender;
            this.pool = new BufferPool(config.bufferMemory(), PooledByteBufAllocator.DEFAULT, wake);
            this.accumulator = new RecordAccumulator(Math.min(config.batchSize(), config.maxRequestSize()),
                    config.lingerMs(), config.deliveryTimeoutMs(), config.maxInFlightPerPartition(), pool, wake);
            this.sender = new Sender(clientId, accumulator, routes, client,
                    new ProducerMetrics(config.meterRegistry(), clientId), config.acks(), config.requestTimeoutMs(),
                    config.retries(), config.deliveryTimeoutMs(), config.maxRequestSize(),
                    config.maxInFlightPerConnection(), backoff);
            routes.addListener(wake);
            sender.start();
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    private void wakeSender() {
        Sender s = sender;
        if (s != null) {
            s.wakeup();
        }
    }

    @Override
    public CompletableFuture<RecordMetadata> send(ProducerRecord<K, V> record) {
        Objects.requireNonNull(record, "record");
        try {
            return doSend(record);
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<RecordMetadata> doSend(ProducerRecord<K, V> record) {
        if (closed.get()) {
            throw new SluiceException(ErrorCode.CLIENT_CLOSED, "producer " + clientId + " is closed");
        }
        String topic = TopicNames.validate(record.topic());
        byte[] key = serialize(keySerializer, record.key(), "key", topic);
        byte[] value = serialize(valueSerializer, record.value(), "value", topic);
        List<Header> headers = record.headers();
        String[] headerKeys = null;
        byte[][] headerValues = null;
        int headersSize = 0;
        if (!headers.isEmpty()) {
            headerKeys = new String[headers.size()];
            headerValues = new byte[headers.size()][];
            for (int i = 0; i < headerKeys.length; i++) {
                headerKeys[i] = headers.get(i).key();
                headerValues[i] = headers.get(i).value();
            }
            headersSize = RecordBatchBuilder.headersSize(headerKeys, headerValues);
        }
        int recordSize = RecordBatchBuilder.recordSize(key == null ? -1 : key.length,
                value == null ? -1 : value.length, headersSize);
        if (RecordBatch.HEADER_SIZE + recordSize > maxRequestSize) {
            throw new SluiceException(ErrorCode.RECORD_TOO_LARGE, "record for " + topic + " takes "
                    + (RecordBatch.HEADER_SIZE + recordSize) + " bytes in a batch, more than "
                    + ProducerConfig.MAX_REQUEST_SIZE + "=" + maxRequestSize);
        }
        TopicRoutes topicRoutes = routes.topic(topic);
        long blockNs = maxBlockNs;
        if (topicRoutes == null) {
            long startNs = System.nanoTime();
            topicRoutes = routes.awaitTopic(topic, startNs + maxBlockNs, true);
            blockNs = Math.max(0, maxBlockNs - (System.nanoTime() - startNs));
        }
        int count = topicRoutes.partitionCount();
        if (count == 0) {
            throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "topic " + topic + " has no partitions");
        }
        int partition;
        boolean isSticky = false;
        if (record.partition() != null) {
            partition = record.partition();
            if (partition >= count) {
                throw new SluiceException(ErrorCode.UNKNOWN_PARTITION, "topic " + topic + " has " + count
                        + " partitions; partition " + partition + " does not exist");
            }
        } else {
            partition = partitioner.partition(topic, key, count);
            if (partition == Partitioner.ANY) {
                isSticky = true;
                partition = sticky.partition(topic, topicRoutes);
            } else if (partition < 0 || partition >= count) {
                throw new SluiceException(ErrorCode.UNKNOWN_PARTITION, "partitioner " + partitioner.getClass()
                        .getName() + " chose partition " + partition + " of " + topic + ", which has " + count);
            }
        }
        long timestamp = record.timestamp() != null ? record.timestamp() : System.currentTimeMillis();
        CompletableFuture<RecordMetadata> future = accumulator.append(topic, partition, timestamp, key, value,
                headerKeys, headerValues, recordSize, isSticky, blockNs);
        if (future == null) {
            int next = sticky.next(topic, topicRoutes, partition);
            future = accumulator.append(topic, next, timestamp, key, value, headerKeys, headerValues, recordSize,
                    false, blockNs);
        }
        return future;
    }

    private static <T> byte[] serialize(Serializer<T> serializer, T data, String what, String topic) {
        try {
            return serializer.serialize(data);
        } catch (SluiceException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SluiceException(ErrorCode.SERIALIZATION_ERROR, "could not serialize the " + what
                    + " of a record for " + topic + " with " + serializer.getClass().getName() + ": " + e, e);
        }
    }

    @Override
    public void flush() {
        accumulator.beginFlush();
        try {
            sender.wakeup();
            for (ProducerBatch batch : accumulator.incompleteBatches()) {
                batch.completion().join();
            }
        } finally {
            accumulator.endFlush();
        }
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
        Objects.requireNonNull(topic, "topic");
        return routes.awaitTopic(topic, System.nanoTime() + maxBlockNs, true).partitionInfos();
    }

    @Override
    public void close() {
        close(Duration.ofMillis(Long.MAX_VALUE));
    }

    @Override
    public void close(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            closeDone.join();
            return;
        }
        try {
            accumulator.close();
            pool.close();
            sender.initiateClose();
            boolean graceful = awaitSender(timeout.toMillis());
            if (!graceful) {
                SluiceException error = new SluiceException(ErrorCode.CLIENT_CLOSED, "producer " + clientId
                        + " closed before the record was sent (close timeout " + timeout.toMillis() + " ms)");
                sender.forceClose();
                awaitSender(Long.MAX_VALUE);
                accumulator.abortIncomplete(error);
            }
            routes.close();
            client.close();
            accumulator.abortIncomplete(new SluiceException(ErrorCode.CLIENT_CLOSED, "producer " + clientId
                    + " closed before the record was acknowledged"));
        } finally {
            closeDone.complete(null);
        }
        LOG.debug("Producer {} closed", clientId);
    }

    private boolean awaitSender(long timeoutMs) {
        try {
            return sender.awaitTermination(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
