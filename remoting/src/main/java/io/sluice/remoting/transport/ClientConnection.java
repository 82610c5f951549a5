package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.collection.LongObjectHashMap;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.InboundFrame;
import io.sluice.remoting.codec.OutboundFrame;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ErrorResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link Connection} implementation over one Netty channel. Requests get ids from an {@link AtomicLong} and
 * are bounded by the in-flight limit on the caller's thread (fail fast); the table of pending requests and their
 * timeouts (scheduled on the channel's event loop, cancelled on answer) is touched only on the channel's I/O
 * thread, so it needs no locks. Thread-safe.
 *
 * <p>Liveness (with {@link HeartbeatHandler}): a request that is merely slow waits for its answer up to its own
 * timeout, and the connection is not closed for silence while any request awaits an answer. When the peer's silence
 * is fatal by the connection's detector while answers are awaited, the connection is <i>retired</i>: it stops taking
 * requests (they fail at once with NETWORK_ERROR, unsent, and the pool opens a new connection as {@link #isActive()}
 * turns false), and it closes once the requests still awaiting an answer have been answered or timed out. Nothing
 * awaited is failed by a liveness close.
 */
final class ClientConnection implements Connection {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);
    private static final long MAX_TIMEOUT_MS = TimeUnit.DAYS.toMillis(1);

    private final Channel channel;
    private final EventLoop loop;
    private final InetSocketAddress remoteAddress;
    private final TransportConfig config;
    private final TransportMetrics metrics;
    private final AtomicLong requestIds = new AtomicLong(HeartbeatHandler.PING_REQUEST_ID + 1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongObjectHashMap<PendingRequest> pending = new LongObjectHashMap<>();
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private final ReadActivity activity;
    private final HeartbeatHandler liveness;
    private boolean closed;
    /** Why the connection was retired (see the class comment); null while it takes requests. */
    private volatile String retired;

    ClientConnection(Channel channel, InetSocketAddress remoteAddress, TransportConfig config,
                     TransportMetrics metrics) {
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.remoteAddress = remoteAddress;
        this.config = config;
        this.metrics = metrics;
        this.activity = channel.pipeline().get(ReadActivity.class);
        this.liveness = channel.pipeline().get(HeartbeatHandler.class);
        if (liveness != null) {
            liveness.onSuspicion(this::retire);
        }
    }

    @Override
    public CompletableFuture<Response> request(ApiKey apiKey, Object message, ByteBuf payload, long timeoutMs) {
        Objects.requireNonNull(apiKey, "apiKey");
        if (inFlight.incrementAndGet() > config.maxInFlight()) {
            inFlight.decrementAndGet();
            release(payload);
            metrics.onError(ErrorCode.TOO_MANY_IN_FLIGHT);
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.TOO_MANY_IN_FLIGHT,
                    config.maxInFlight() + " requests already in flight to " + remoteAddress + " ("
                            + TransportConfig.MAX_IN_FLIGHT + ")"));
        }
        long timeout = timeoutMs <= 0 ? config.requestTimeoutMs() : Math.min(timeoutMs, MAX_TIMEOUT_MS);
        PendingRequest request = new PendingRequest(this, requestIds.getAndIncrement(), apiKey, message, payload,
                timeout);
        if (loop.inEventLoop()) {
            request.run();
        } else {
            try {
                loop.execute(request);
            } catch (RejectedExecutionException e) {
                inFlight.decrementAndGet();
                release(request.takePayload());
                request.completeExceptionally(closedError());
            }
        }
        return request;
    }

    /** Registers and writes a request; on the I/O thread. */
    void dispatch(PendingRequest request) {
        if (closed || retired != null) {
            inFlight.decrementAndGet();
            release(request.takePayload());
            request.completeExceptionally(closedError());
            return;
        }
        request.readsAtSend = activity.reads();
        pending.put(request.requestId, request);
        request.timeout = loop.schedule(request, request.timeoutMs, TimeUnit.MILLISECONDS);
        OutboundFrame frame = new OutboundFrame(0, request.apiKey.id(), request.requestId, request.takeMessage(),
                request.takePayload());
        channel.writeAndFlush(frame).addListener(request);
    }

    /** The request could not be written; on the I/O thread. */
    void onWriteFailed(PendingRequest request, Throwable cause) {
        if (!remove(request)) {
            return;
        }
        complete(request, writeError(request.apiKey, cause));
        closeIfRetiredAndDone();
    }

    /** The request's timeout fired; on the I/O thread. */
    void onTimeout(PendingRequest request) {
        request.timeout = null;
        if (!remove(request)) {
            return;
        }
        boolean silent = activity.reads() == request.readsAtSend;
        complete(request, new SluiceException(ErrorCode.REQUEST_TIMED_OUT, "no answer to " + request.apiKey
                + " request " + request.requestId + " from " + remoteAddress + " within " + request.timeoutMs
                + " ms" + (silent ? " (nothing heard from it meanwhile)" : "")));
        closeIfRetiredAndDone();
    }

    /** Takes no more requests, and closes once nothing is awaited (see the class comment). On the I/O thread. */
    private void retire(String why) {
        if (retired != null || closed) {
            return;
        }
        retired = why;
        if (!pending.isEmpty()) {
            liveness.log("retiring", HeartbeatHandler.SILENT, why + "; it takes no new requests and closes once "
                    + pending.size() + " awaited answer(s) came or timed out");
        }
        closeIfRetiredAndDone();
    }

    /** A retired connection closes once it awaits no more answers. On the I/O thread. */
    private void closeIfRetiredAndDone() {
        String why = retired;
        if (why != null && !closed && pending.isEmpty()) {
            liveness.close(HeartbeatHandler.SILENT, why);
        }
    }

    /** An answer arrived; takes ownership of {@code frame}. On the I/O thread. */
    void onAnswer(InboundFrame frame) {
        PendingRequest request = pending.get(frame.requestId());
        if (request == null || !remove(request)) {
            LOG.debug("dropping late or unknown answer {} from {}", frame, remoteAddress);
            frame.release();
            return;
        }
        try {
            completeAnswered(request, frame);
        } finally {
            closeIfRetiredAndDone();
        }
    }

    private void completeAnswered(PendingRequest request, InboundFrame frame) {
        if (frame.isError()) {
            ErrorResponse error = frame.message();
            frame.release();
            ErrorCode code = error == null ? ErrorCode.UNKNOWN : ErrorCode.forId(error.code);
            complete(request, new SluiceException(code, error == null ? null : error.message));
            return;
        }
        Response response = new Response(frame.message(), frame.takePayload());
        metrics.onRequest(request.apiKey, ErrorCode.NONE, System.nanoTime() - request.startNanos);
        if (!request.complete(response)) {
            response.close(); // the caller gave up (cancelled) meanwhile
        }
    }

    /** The channel closed: fails everything pending. On the I/O thread. */
    void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        if (!pending.isEmpty()) {
            List<PendingRequest> failed = new ArrayList<>(pending.values());
            pending.clear();
            for (PendingRequest request : failed) {
                request.cancelTimeout();
                inFlight.decrementAndGet();
                complete(request, closedError());
            }
        }
        closeFuture.complete(null);
    }

    private boolean remove(PendingRequest request) {
        if (pending.remove(request.requestId) != request) {
            return false;
        }
        request.cancelTimeout();
        inFlight.decrementAndGet();
        return true;
    }

    private void complete(PendingRequest request, SluiceException error) {
        metrics.onRequest(request.apiKey, error.code(), System.nanoTime() - request.startNanos);
        request.completeExceptionally(error);
    }

    /**
     * Why a write of {@code apiKey} failed: a channel closed before the write (the peer hung up, or it sent what made
     * this side close it, such as bytes that are not frames) fails it with the reason it closed.
     */
    private SluiceException writeError(ApiKey apiKey, Throwable cause) {
        if (cause instanceof ClosedChannelException) {
            return closedError();
        }
        SluiceException error = SluiceException.from(cause);
        return error.code() != ErrorCode.UNKNOWN ? error : new SluiceException(ErrorCode.NETWORK_ERROR,
                "cannot send " + apiKey + " to " + remoteAddress + ": " + cause, cause);
    }

    private SluiceException closedError() {
        String why = retired;
        if (why != null && !closed) {
            return new SluiceException(ErrorCode.NETWORK_ERROR, "not sent: the connection to " + remoteAddress
                    + " is retired (" + why + ")");
        }
        String because = channel.attr(ProtocolErrorHandler.CLOSED_BECAUSE).get();
        return new SluiceException(ErrorCode.NETWORK_ERROR, "connection to " + remoteAddress + " closed"
                + (because == null ? "" : ": " + because));
    }

    @Override
    public CompletableFuture<Void> send(ApiKey apiKey, Object message, ByteBuf payload) {
        Objects.requireNonNull(apiKey, "apiKey");
        CompletableFuture<Void> written = new CompletableFuture<>();
        OutboundFrame frame = new OutboundFrame(FrameLayout.FLAG_ONEWAY, apiKey.id(), requestIds.getAndIncrement(),
                message, payload);
        Runnable write = () -> {
            if (closed || retired != null) {
                release(payload);
                written.completeExceptionally(closedError());
                return;
            }
            channel.writeAndFlush(frame).addListener(f -> {
                if (f.isSuccess()) {
                    written.complete(null);
                } else {
                    written.completeExceptionally(writeError(apiKey, f.cause()));
                }
            });
        };
        if (loop.inEventLoop()) {
            write.run();
        } else {
            try {
                loop.execute(write);
            } catch (RejectedExecutionException e) {
                release(payload);
                written.completeExceptionally(closedError());
            }
        }
        return written;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** False once closed or retired (see the class comment). */
    @Override
    public boolean isActive() {
        return retired == null && channel.isActive();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        return closeFuture;
    }

    @Override
    public void close() {
        channel.close();
    }

    Channel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "Connection{" + channel.localAddress() + " -> " + remoteAddress + ", inFlight=" + inFlight()
                + (retired != null ? ", retired" : "") + "}";
    }

    private static void release(ByteBuf payload) {
        if (payload != null && payload.refCnt() > 0) {
            payload.release();
        }
    }
}
