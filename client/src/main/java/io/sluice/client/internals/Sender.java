package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ProducePartition;
import io.sluice.remoting.protocol.ProducePartitionResult;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer's I/O-driving thread: it drains ready batches from the {@link RecordAccumulator}, groups them by
 * leader broker and sends each group as PRODUCE requests (protocol version 2) of at most {@code max.request.size}
 * bytes over a pooled connection, with at most {@code max.in.flight.requests.per.connection} requests unanswered
 * per broker: a leader at that limit takes no more batches until an answer comes, and its partitions wait in the
 * accumulator (a partition with a batch in flight is muted there until its answer, keeping its order). The payload
 * is the batches' own bytes chained together, never copied (the transport takes a reference to each).
 *
 * <p>Answers are handled on the transport's I/O thread without blocking, per partition: a success completes that
 * batch's futures; a retriable error puts that batch back in order after a backoff (refreshing routes when the
 * error says so); anything else, or running out of retries or delivery time, fails its futures. A failure of the
 * whole request (connection lost, timeout, an error answer) is the failure of every batch in it.
 *
 * <p>The thread parks when there is nothing to do and is woken by new batches, answers, flushes, route updates and
 * full buffers. Thread-safe: {@link #wakeup()} and {@link #initiateClose()} may be called from any thread.
 */
final class Sender implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
    private static final long MAX_PARK_NS = TimeUnit.SECONDS.toNanos(1);
    /** Bytes an entry of the request body may take besides its topic name (tags, partition, length). */
    private static final int ENTRY_OVERHEAD = 16;

    private final RecordAccumulator accumulator;
    private final RouteCache routes;
    private final RemotingClient client;
    private final ProducerMetrics metrics;
    private final short acks;
    private final long requestTimeoutMs;
    private final int retries;
    private final long deliveryTimeoutMs;
    private final int maxRequestBytes;
    private final int maxInFlightPerConnection;
    private final Backoff backoff;
    private final Thread thread;
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final List<ProducerBatch> expired = new ArrayList<>();
    /** Requests being filled in this cycle, per leader (sender thread only). */
    private final Map<InetSocketAddress, Packing> packing = new LinkedHashMap<>();
    /** Requests sent and not yet answered (or failed), per broker. */
    private final ConcurrentHashMap<InetSocketAddress, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** Requests waiting for a connection being opened, per broker, in drain order (guarded by itself). */
    private final Map<InetSocketAddress, List<ProduceCall>> awaitingConnection = new HashMap<>();
    private final RecordAccumulator.DrainState drainState = new RecordAccumulator.DrainState();
    private volatile boolean running = true;
    private volatile boolean forceClose;

    Sender(String clientId, RecordAccumulator accumulator, RouteCache routes, RemotingClient client,
           ProducerMetrics metrics, int acks, long requestTimeoutMs, int retries, long deliveryTimeoutMs,
           int maxRequestBytes, int maxInFlightPerConnection, Backoff backoff) {
        this.accumulator = accumulator;
        this.routes = routes;
        this.client = client;
        this.metrics = metrics;
        this.acks = (short) acks;
        this.requestTimeoutMs = requestTimeoutMs;
        this.retries = retries;
        this.deliveryTimeoutMs = deliveryTimeoutMs;
        this.maxRequestBytes = maxRequestBytes;
        this.maxInFlightPerConnection = maxInFlightPerConnection;
        this.backoff = backoff;
        this.thread = new Thread(this, "sluice-producer-sender-" + clientId);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Makes the sender look for work now. Cheap when it is already awake. */
    void wakeup() {
        if (!wakeupPending.get() && !wakeupPending.getAndSet(true)) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void run() {
        while (!forceClose && (running || accumulator.hasIncomplete())) {
            wakeupPending.set(false);
            long delayNs;
            try {
                delayNs = runOnce(System.nanoTime());
            } catch (RuntimeException | Error e) {
                LOG.error("Unexpected error in the producer sender; continuing", e);
                delayNs = backoff.initialNs();
            }
            if (!wakeupPending.get()) {
                LockSupport.parkNanos(this, Math.min(delayNs, MAX_PARK_NS));
            }
        }
    }

    /** One cycle: refresh routes if due, expire old batches, send ready ones. Returns ns until work may be due. */
    long runOnce(long nowNs) {
        routes.maybeRefresh(nowNs);
        drainState.reset();
        packing.clear();
        long nextNs = accumulator.drain(nowNs, routes.routes(), !running, this::offer, expired, drainState);
        if (drainState.missingLeader || drainState.staleLeader) {
            routes.requestRefresh();
            nextNs = Math.min(nextNs, backoff.initialNs());
        }
        for (int i = 0; i < expired.size(); i++) {
            expire(expired.get(i), nowNs);
        }
        expired.clear();
        for (Packing requests : packing.values()) {
            for (List<ProducerBatch> batches : requests.requests) {
                send(new ProduceCall(requests.address, batches));
            }
        }
        packing.clear();
        return Math.max(0, Math.min(nextNs, routes.nanosUntilDue(nowNs)));
    }

    /** Takes {@code batch} into a request to {@code leader} if one has room or the broker may take another. */
    private boolean offer(ProducerBatch batch, InetSocketAddress leader) {
        Packing requests = packing.get(leader);
        if (requests == null) {
            int free = maxInFlightPerConnection - inFlight(leader).get();
            if (free <= 0) {
                return false;
            }
            requests = new Packing(leader, free);
            packing.put(leader, requests);
        }
        return requests.add(batch, batch.sizeInBytes() + ENTRY_OVERHEAD + 3 * batch.topic.length(), maxRequestBytes);
    }

    private AtomicInteger inFlight(InetSocketAddress address) {
        AtomicInteger count = inFlight.get(address);
        return count != null ? count : inFlight.computeIfAbsent(address, a -> new AtomicInteger());
    }

    private void expire(ProducerBatch batch, long nowNs) {
        SluiceException last = batch.lastError;
        String message = batch + " expired: not acknowledged within delivery.timeout.ms=" + deliveryTimeoutMs
                + " (" + TimeUnit.NANOSECONDS.toMillis(nowNs - batch.createdNs) + " ms since created, "
                + batch.attempts + " attempts" + (last == null ? ", waiting for a leader or for earlier batches"
                : ", last error " + last) + ")";
        if (batch.fail(new SluiceException(ErrorCode.REQUEST_TIMED_OUT, message, last))) {
            metrics.batchFailed(batch.recordCount());
        }
    }

    private void send(ProduceCall call) {
        for (ProducerBatch batch : call.batches) {
            batch.attempts++;
        }
        inFlight(call.address).incrementAndGet();
        CompletableFuture<Connection> connection;
        try {
            connection = client.connection(call.address);
        } catch (RuntimeException e) {
            onRequestFailed(call, e);
            return;
        }
        if (connection.isDone() && !connection.isCompletedExceptionally()) {
            sendOn(connection.join(), call);
            return;
        }
        InetSocketAddress address = call.address;
        boolean first;
        synchronized (awaitingConnection) {
            List<ProduceCall> waiting = awaitingConnection.get(address);
            first = waiting == null;
            if (first) {
                waiting = new ArrayList<>();
                awaitingConnection.put(address, waiting);
            }
            waiting.add(call);
        }
        if (first) {
            connection.whenComplete((conn, error) -> onConnected(address, conn, error));
        }
    }

    /** Sends the requests that waited for a connection, in the order they were drained. */
    private void onConnected(InetSocketAddress address, Connection connection, Throwable error) {
        List<ProduceCall> waiting;
        synchronized (awaitingConnection) {
            waiting = awaitingConnection.remove(address);
        }
        if (waiting == null) {
            return;
        }
        for (ProduceCall call : waiting) {
            if (error != null) {
                onRequestFailed(call, error);
            } else {
                sendOn(connection, call);
            }
        }
    }

    private void sendOn(Connection connection, ProduceCall call) {
        List<ProducerBatch> batches = call.batches;
        batches.removeIf(batch -> {
            if (batch.isDone()) { // failed meanwhile (expired, aborted): nothing left to send
                accumulator.inFlightDone(batch);
                return true;
            }
            return false;
        });
        if (batches.isEmpty()) {
            requestDone(call);
            return;
        }
        ProduceRequest request = new ProduceRequest();
        request.acks = acks;
        request.timeoutMs = (int) Math.min(Integer.MAX_VALUE, requestTimeoutMs);
        request.partitions = new ArrayList<>(batches.size());
        ByteBuf[] payloads = new ByteBuf[batches.size()];
        long startNs = System.nanoTime();
        try {
            for (int i = 0; i < payloads.length; i++) {
                ProducerBatch batch = batches.get(i);
                request.partitions.add(new ProducePartition(batch.topic, batch.partition, batch.sizeInBytes()));
                payloads[i] = batch.retainedPayload();
            }
            ByteBuf payload = payloads.length == 1 ? payloads[0] : Unpooled.wrappedBuffer(payloads.length, payloads);
            Arrays.fill(payloads, null); // owned by the transport from here on
            metrics.requestSent(batches.size());
            if (acks == 0) {
                connection.send(ApiKey.PRODUCE, request, payload)
                        .whenComplete((ignored, error) -> onAnswer(call, startNs, null, error));
            } else {
                connection.request(ApiKey.PRODUCE, request, payload, requestTimeoutMs)
                        .whenComplete((response, error) -> onAnswer(call, startNs, response, error));
            }
        } catch (RuntimeException e) {
            for (ByteBuf payload : payloads) {
                if (payload != null) {
                    payload.release();
                }
            }
            onRequestFailed(call, e);
        }
    }

    private void onAnswer(ProduceCall call, long startNs, Response response, Throwable error) {
        try {
            if (error != null) {
                onRequestFailed(call, error);
                return;
            }
            requestDone(call);
            List<ProducePartitionResult> results = null;
            if (response != null) {
                ProduceResponse answer = response.message();
                results = answer.partitions;
            }
            List<ProducerBatch> batches = call.batches;
            for (int i = 0; i < batches.size(); i++) {
                ProducerBatch batch = batches.get(i);
                try {
                    onResult(batch, startNs, response == null ? null : resultFor(results, i, batch));
                } catch (RuntimeException e) {
                    LOG.error("Failed to complete {}", batch, e);
                }
            }
        } finally {
            if (response != null) {
                response.close();
            }
            wakeup(); // muted partitions may go now; a closing sender exits once nothing is incomplete
        }
    }

    /** The answer of one partition; the broker answers in request order, but a result is matched by name. */
    private static ProducePartitionResult resultFor(List<ProducePartitionResult> results, int index,
                                                    ProducerBatch batch) {
        if (results != null && index < results.size() && matches(results.get(index), batch)) {
            return results.get(index);
        }
        if (results != null) {
            for (ProducePartitionResult result : results) {
                if (matches(result, batch)) {
                    return result;
                }
            }
        }
        ProducePartitionResult missing = new ProducePartitionResult();
        missing.errorCode = ErrorCode.UNKNOWN.id();
        missing.errorMessage = "the broker's answer has no result for " + batch.topic + "-" + batch.partition;
        return missing;
    }

    private static boolean matches(ProducePartitionResult result, ProducerBatch batch) {
        return result != null && result.partition == batch.partition && batch.topic.equals(result.topic);
    }

    /** Completes one batch from its partition's result ({@code null}: acks=0, written). */
    private void onResult(ProducerBatch batch, long startNs, ProducePartitionResult result) {
        ErrorCode code = result == null ? ErrorCode.NONE : ErrorCode.forId(result.errorCode);
        if (code != ErrorCode.NONE) {
            String message = result.errorMessage != null ? result.errorMessage : code.defaultMessage();
            onError(batch, new SluiceException(code, message));
            return;
        }
        accumulator.inFlightDone(batch);
        if (batch.succeed(result == null ? -1 : result.baseOffset)) {
            metrics.batchSent(batch.recordCount(), batch.sizeInBytes(), System.nanoTime() - startNs);
        }
    }

    /** The whole request failed (not sent, connection lost, timed out, refused): so did each of its batches. */
    private void onRequestFailed(ProduceCall call, Throwable cause) {
        requestDone(call);
        for (ProducerBatch batch : call.batches) {
            onError(batch, cause);
        }
    }

    private void requestDone(ProduceCall call) {
        inFlight(call.address).decrementAndGet();
        wakeup();
    }

    private void onError(ProducerBatch batch, Throwable cause) {
        SluiceException error = SluiceException.from(cause);
        batch.lastError = error;
        if (error.code().refreshRoutes()) {
            routes.requestRefresh();
        }
        long nowNs = System.nanoTime();
        long retryAtNs = nowNs + backoff.delayNs(batch.attempts);
        if (canRetry(batch, error, retryAtNs)) {
            LOG.debug("Retrying {} after {}", batch, error.toString());
            metrics.retry();
            accumulator.reenqueue(batch, retryAtNs);
        } else {
            accumulator.inFlightDone(batch);
            SluiceException failure = new SluiceException(error.code(), batch.topic + "-" + batch.partition + ": "
                    + error.getMessage() + " (after " + batch.attempts + " attempts)", error);
            if (batch.fail(failure)) {
                metrics.batchFailed(batch.recordCount());
            }
        }
        wakeup();
    }

    private boolean canRetry(ProducerBatch batch, SluiceException error, long retryAtNs) {
        if (forceClose || batch.isDone() || !error.code().retriable()) {
            return false;
        }
        if (error.code() == ErrorCode.CORRUPT_RECORD && batch.attempts > 1) {
            return false;
        }
        return batch.attempts - 1 < retries && retryAtNs - batch.deliveryDeadlineNs < 0;
    }

    /** Stops taking new work once everything queued is sent (the accumulator must be closed first). */
    void initiateClose() {
        running = false;
        wakeup();
    }

    /** Stops at once; queued and in-flight batches are left for the caller to abort. */
    void forceClose() {
        forceClose = true;
        running = false;
        wakeup();
    }

    /** Waits up to {@code timeoutMs} for the thread to end; true if it has. */
    boolean awaitTermination(long timeoutMs) throws InterruptedException {
        thread.join(Math.max(1, timeoutMs));
        return !thread.isAlive();
    }

    /** One produce request: the batches of several partitions for one broker. */
    private record ProduceCall(InetSocketAddress address, List<ProducerBatch> batches) {
    }

    /**
     * The requests filled for one leader in a drain: up to {@code slots} of them (the broker's free in-flight
     * places), each of at most the maximum request size; a batch that fits none is refused.
     */
    private static final class Packing {
        final InetSocketAddress address;
        final int slots;
        final List<List<ProducerBatch>> requests = new ArrayList<>();
        private long currentBytes;

        Packing(InetSocketAddress address, int slots) {
            this.address = address;
            this.slots = slots;
        }

        boolean add(ProducerBatch batch, int bytes, int maxRequestBytes) {
            List<ProducerBatch> current = requests.isEmpty() ? null : requests.get(requests.size() - 1);
            if (current == null || currentBytes + bytes > maxRequestBytes) {
                if (requests.size() >= slots) {
                    return false;
                }
                current = new ArrayList<>();
                requests.add(current);
                currentBytes = 0;
            }
            current.add(batch);
            currentBytes += bytes;
            return true;
        }
    }
}
