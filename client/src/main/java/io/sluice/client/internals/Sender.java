package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ProduceRequest;
import io.sluice.remoting.protocol.ProduceResponse;
import io.sluice.remoting.transport.Connection;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer's I/O-driving thread: it drains ready batches from the {@link RecordAccumulator} and sends each as
 * one PRODUCE request to its partition's leader over a pooled connection (the transport takes a reference to the
 * batch bytes). Answers are handled on the transport's I/O thread without blocking: success completes the records'
 * futures; a retriable error puts the batch back in order after a backoff (refreshing routes when the error says
 * so); anything else, or running out of retries or delivery time, fails the futures.
 *
 * <p>The thread parks when there is nothing to do and is woken by new batches, answers, flushes, route updates and
 * full buffers. Thread-safe: {@link #wakeup()} and {@link #initiateClose()} may be called from any thread.
 */
final class Sender implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
    private static final long MAX_PARK_NS = TimeUnit.SECONDS.toNanos(1);

    private final RecordAccumulator accumulator;
    private final RouteCache routes;
    private final RemotingClient client;
    private final ProducerMetrics metrics;
    private final short acks;
    private final long requestTimeoutMs;
    private final int retries;
    private final long deliveryTimeoutMs;
    private final Backoff backoff;
    private final Thread thread;
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final List<ProducerBatch> ready = new ArrayList<>();
    private final List<ProducerBatch> expired = new ArrayList<>();
    /** Batches waiting for a connection being opened, per broker, in drain order (guarded by itself). */
    private final Map<InetSocketAddress, List<ProducerBatch>> awaitingConnection = new HashMap<>();
    private final RecordAccumulator.DrainState drainState = new RecordAccumulator.DrainState();
    private volatile boolean running = true;
    private volatile boolean forceClose;

    Sender(String clientId, RecordAccumulator accumulator, RouteCache routes, RemotingClient client,
           ProducerMetrics metrics, int acks, long requestTimeoutMs, int retries, long deliveryTimeoutMs,
           Backoff backoff) {
        this.accumulator = accumulator;
        this.routes = routes;
        this.client = client;
        this.metrics = metrics;
        this.acks = (short) acks;
        this.requestTimeoutMs = requestTimeoutMs;
        this.retries = retries;
        this.deliveryTimeoutMs = deliveryTimeoutMs;
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
        long nextNs = accumulator.drain(nowNs, routes.routes(), !running, ready, expired, drainState);
        if (drainState.missingLeader || drainState.staleLeader) {
            routes.requestRefresh();
            nextNs = Math.min(nextNs, backoff.initialNs());
        }
        for (int i = 0; i < expired.size(); i++) {
            expire(expired.get(i), nowNs);
        }
        expired.clear();
        for (int i = 0; i < ready.size(); i++) {
            send(ready.get(i));
        }
        ready.clear();
        return Math.max(0, Math.min(nextNs, routes.nanosUntilDue(nowNs)));
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

    private void send(ProducerBatch batch) {
        batch.attempts++;
        CompletableFuture<Connection> connection;
        try {
            connection = client.connection(batch.destination);
        } catch (RuntimeException e) {
            onError(batch, e);
            return;
        }
        if (connection.isDone() && !connection.isCompletedExceptionally()) {
            sendOn(connection.join(), batch);
            return;
        }
        InetSocketAddress address = batch.destination;
        boolean first;
        synchronized (awaitingConnection) {
            List<ProducerBatch> waiting = awaitingConnection.get(address);
            first = waiting == null;
            if (first) {
                waiting = new ArrayList<>();
                awaitingConnection.put(address, waiting);
            }
            waiting.add(batch);
        }
        if (first) {
            connection.whenComplete((conn, error) -> onConnected(address, conn, error));
        }
    }

    /** Sends the batches that waited for a connection, in the order they were drained. */
    private void onConnected(InetSocketAddress address, Connection connection, Throwable error) {
        List<ProducerBatch> waiting;
        synchronized (awaitingConnection) {
            waiting = awaitingConnection.remove(address);
        }
        if (waiting == null) {
            return;
        }
        for (ProducerBatch batch : waiting) {
            if (error != null) {
                onError(batch, error);
            } else {
                sendOn(connection, batch);
            }
        }
    }

    private void sendOn(Connection connection, ProducerBatch batch) {
        if (batch.isDone()) {
            accumulator.inFlightDone(batch);
            return;
        }
        ProduceRequest request = new ProduceRequest();
        request.topic = batch.topic;
        request.partition = batch.partition;
        request.acks = acks;
        request.timeoutMs = (int) Math.min(Integer.MAX_VALUE, requestTimeoutMs);
        long startNs = System.nanoTime();
        try {
            ByteBuf payload = batch.retainedPayload();
            if (acks == 0) {
                connection.send(ApiKey.PRODUCE, request, payload)
                        .whenComplete((ignored, error) -> onAnswer(batch, startNs, null, error));
            } else {
                connection.request(ApiKey.PRODUCE, request, payload, requestTimeoutMs)
                        .whenComplete((response, error) -> onAnswer(batch, startNs, response, error));
            }
        } catch (RuntimeException e) {
            onError(batch, e);
        }
    }

    private void onAnswer(ProducerBatch batch, long startNs, Response response, Throwable error) {
        try {
            if (error != null) {
                onError(batch, error);
                return;
            }
            accumulator.inFlightDone(batch);
            // the partition's next batch may go now: let the sender drain it while this thread completes futures
            wakeup();
            long baseOffset = -1;
            if (response != null) {
                ProduceResponse answer = response.message();
                baseOffset = answer.baseOffset;
            }
            int records = batch.recordCount();
            int bytes = batch.sizeInBytes();
            if (batch.succeed(baseOffset)) {
                metrics.batchSent(records, bytes, System.nanoTime() - startNs);
            }
        } catch (RuntimeException e) {
            LOG.error("Failed to complete {}", batch, e);
            wakeup();
        } finally {
            if (response != null) {
                response.close();
            }
            if (!running) {
                wakeup(); // a closing sender exits once nothing is incomplete
            }
        }
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
}
