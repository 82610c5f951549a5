package io.sluice.remoting.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.RateLimitedLog;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.InboundFrame;
import io.sluice.remoting.codec.OutboundFrame;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.transport.ReadGate.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands each request of one server connection to the {@link RequestHandler} registered for its api, on the I/O
 * thread, and keeps the connection within its bounds by not reading it ({@link ReadGate}) rather than by answering
 * errors: while it has {@link TransportConfig#maxInFlight()} requests unanswered, while its answers waiting to be
 * written exceed {@link TransportConfig#connectionMaxUnwrittenBytes()} or its outgoing buffer is above the high
 * water mark, and while the server is over its bounds and this connection holds more than its share
 * ({@link ServerBudget}). Reading resumes once answers bring it under three quarters of the in-flight limit and a
 * quarter of the byte bound.
 *
 * <p>Answers itself, with an error, a request whose api is unknown or not served here (UNSUPPORTED_API). A
 * handler that throws is answered with the error for what it threw; the connection stays open. The frame (and so
 * the payload) is released after the handler returns. When the connection closes, requests still unanswered are
 * given up: their count leaves the server's budget and those a handler parked ({@link RequestContext#onAbandoned})
 * are dropped at once. Stateful: one instance per channel.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);
    private static final RateLimitedLog FAILURES = RateLimitedLog.of(LOG);
    /** In-flight count once closed: later answers take it further below zero and touch the budget no more. */
    private static final int CLOSED = Integer.MIN_VALUE / 2;

    private final String serverName;
    private final RequestHandler[] handlers;
    private final ReadGate gate;
    private final ServerBudget budget;
    private final TransportMetrics metrics;
    private final int maxInFlight;
    private final int resumeInFlight;
    private final long maxUnwritten;
    private final long resumeUnwritten;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong unwritten = new AtomicLong();
    private final AtomicBoolean reconsiderScheduled = new AtomicBoolean();
    private final AtomicBoolean awaitingBudget = new AtomicBoolean();
    private final Set<ServerRequestContext> abandonable = ConcurrentHashMap.newKeySet();
    /** True while the gate may hold IN_FLIGHT, UNWRITTEN or SERVER_BUSY: answers then re-check it. */
    private volatile boolean paused;
    private volatile boolean closed;
    private boolean counted;
    private Channel channel;

    /** {@code handlers} is indexed by {@link ApiKey#ordinal()}; null where nothing is registered. */
    RequestDispatcher(String serverName, RequestHandler[] handlers, ReadGate gate, ServerBudget budget,
                      TransportConfig config, TransportMetrics metrics) {
        this.serverName = serverName;
        this.handlers = handlers;
        this.gate = gate;
        this.budget = budget;
        this.metrics = metrics;
        this.maxInFlight = config.maxInFlight();
        this.resumeInFlight = Math.max(0, maxInFlight - Math.max(1, maxInFlight / 4));
        this.maxUnwritten = config.connectionMaxUnwrittenBytes();
        this.resumeUnwritten = maxUnwritten / 4;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        gate.admission(this::admit);
        budget.connectionOpened();
        counted = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof InboundFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            dispatch(ctx, frame);
        } finally {
            frame.release();
        }
    }

    private void dispatch(ChannelHandlerContext ctx, InboundFrame frame) {
        if (frame.isResponse()) {
            LOG.debug("dropping unexpected response {} from {}", frame, ctx.channel().remoteAddress());
            return;
        }
        ApiKey key = frame.apiKey();
        RequestHandler handler = key == null ? null : handlers[key.ordinal()];
        if (handler == null) {
            reject(ctx, frame, ErrorCode.UNSUPPORTED_API, "request type "
                    + (key == null ? "with api id " + frame.apiId() : key.name()) + " is not served by " + serverName);
            return;
        }
        boolean oneway = frame.isOneway();
        if (!oneway) {
            inFlight.incrementAndGet();
            budget.requestsQueued(1);
        }
        ServerRequestContext request = new ServerRequestContext(this, ctx.channel(), key, frame.requestId(), oneway);
        try {
            handler.handle(request, frame.message(), frame.payload());
        } catch (Throwable t) {
            if (!oneway && !request.isDone()) {
                request.fail(t);
            } else {
                handlerFailed(ctx, key, oneway, t);
            }
        }
    }

    /** A handler threw where no answer can tell the caller: one line (a stack only if unexpected), rate limited. */
    private void handlerFailed(ChannelHandlerContext ctx, ApiKey key, boolean oneway, Throwable t) {
        SluiceException error = SluiceException.from(t);
        metrics.onError(error.code());
        String what = oneway ? "oneway " + key : key + ", after it was answered,";
        if (error.code() == ErrorCode.UNKNOWN) {
            FAILURES.warn("unexpected:" + key, "handler of {} from {} failed", what, ctx.channel().remoteAddress(), t);
        } else {
            FAILURES.warn(key + ":" + error.code(), "handler of {} from {} failed: {}", what,
                    ctx.channel().remoteAddress(), error.toString()); // a string: no stack trace
        }
    }

    private void reject(ChannelHandlerContext ctx, InboundFrame frame, ErrorCode code, String message) {
        metrics.onError(code);
        if (frame.isOneway()) {
            LOG.debug("dropping oneway request from {}: {}", ctx.channel().remoteAddress(), message);
            return;
        }
        ctx.writeAndFlush(OutboundFrame.error(frame.apiId(), frame.requestId(), code.id(), message),
                ctx.voidPromise());
    }

    /** Run by the gate before each frame: closes it for every bound this connection has reached. I/O thread. */
    private void admit() {
        if (!channel.isWritable()) {
            gate.close(Reason.UNWRITABLE); // reopened by channelWritabilityChanged
        }
        if (inFlight.get() >= maxInFlight) {
            pause(Reason.IN_FLIGHT);
        }
        if (unwritten.get() > maxUnwritten) {
            pause(Reason.UNWRITTEN);
        }
        if (budget.overShare(inFlight.get(), unwritten.get())) {
            pause(Reason.SERVER_BUSY);
            if (awaitingBudget.compareAndSet(false, true)) {
                budget.awaitRelief(() -> {
                    awaitingBudget.set(false);
                    reconsiderLater();
                });
            }
        }
    }

    private void pause(Reason reason) {
        gate.close(reason);
        paused = true;
        // an answer may have come between our look at the counters and the flag: look once more
        reconsiderLater();
    }

    /** Something a paused connection waits for may have changed: re-check on its I/O thread. Any thread. */
    private void reconsiderLater() {
        if (paused && !closed && reconsiderScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(this::reconsider);
            } catch (RejectedExecutionException e) {
                reconsiderScheduled.set(false); // shutting down
            }
        }
    }

    private void reconsider() {
        reconsiderScheduled.set(false);
        if (gate.holds(Reason.IN_FLIGHT) && inFlight.get() <= resumeInFlight) {
            gate.open(Reason.IN_FLIGHT);
        }
        if (gate.holds(Reason.UNWRITTEN) && unwritten.get() <= resumeUnwritten) {
            gate.open(Reason.UNWRITTEN);
        }
        if (gate.holds(Reason.SERVER_BUSY) && !budget.overShare(inFlight.get(), unwritten.get())) {
            gate.open(Reason.SERVER_BUSY);
        }
        paused = gate.holds(Reason.IN_FLIGHT) || gate.holds(Reason.UNWRITTEN) || gate.holds(Reason.SERVER_BUSY);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            gate.open(Reason.UNWRITABLE);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connectionGone();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        connectionGone();
    }

    private void connectionGone() {
        if (!counted) {
            return;
        }
        counted = false;
        closed = true;
        budget.connectionClosed();
        int left = inFlight.getAndSet(CLOSED);
        if (left > 0) {
            budget.requestsAnswered(left);
        }
        for (ServerRequestContext request : abandonable) {
            request.abandon();
        }
        abandonable.clear();
    }

    /** A request was answered, from any thread. */
    void onAnswered(ApiKey key, ErrorCode code, long nanos) {
        if (inFlight.decrementAndGet() >= 0) {
            budget.requestsAnswered(1);
        }
        metrics.onRequest(key, code, nanos);
        reconsiderLater();
    }

    /** An answer of about {@code bytes} will be written, from any thread. */
    void onAnswerQueued(int bytes) {
        unwritten.addAndGet(bytes);
        budget.answersQueued(bytes);
    }

    /** An answer from {@link #onAnswerQueued} was written or dropped. */
    void onAnswerWritten(int bytes) {
        unwritten.addAndGet(-bytes);
        budget.answersWritten(bytes);
        reconsiderLater();
    }

    /** True while answers of this connection wait beyond its bound, or beyond its share of the server's. */
    boolean backlogged() {
        long bytes = unwritten.get();
        return bytes > maxUnwritten || !channel.isWritable() || budget.overShare(inFlight.get(), bytes);
    }

    /** {@code request} drops what it holds if the connection goes before it is answered. Any thread. */
    void abandonable(ServerRequestContext request) {
        abandonable.add(request);
        if (closed) {
            abandonable.remove(request);
            request.abandon();
        }
    }

    /** {@code request} was answered: nothing to drop any more. */
    void answered(ServerRequestContext request) {
        abandonable.remove(request);
    }

    int inFlight() {
        return Math.max(0, inFlight.get());
    }

    long unwrittenBytes() {
        return unwritten.get();
    }
}
