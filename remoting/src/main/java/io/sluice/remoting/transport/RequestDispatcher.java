package io.sluice.remoting.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.codec.InboundFrame;
import io.sluice.remoting.codec.OutboundFrame;
import io.sluice.remoting.protocol.ApiKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands each request of one server connection to the {@link RequestHandler} registered for its api, on the I/O
 * thread. Answers itself, with an error, a request whose api is unknown or not served here (UNSUPPORTED_API) and a
 * request over the connection's in-flight limit (TOO_MANY_IN_FLIGHT). A handler that throws is answered with the
 * error for what it threw; the connection stays open. The frame (and so the payload) is released after the handler
 * returns. Stateful (in-flight count): one instance per channel.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);

    private final String serverName;
    private final RequestHandler[] handlers;
    private final int maxInFlight;
    private final TransportMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();

    /** {@code handlers} is indexed by {@link ApiKey#ordinal()}; null where nothing is registered. */
    RequestDispatcher(String serverName, RequestHandler[] handlers, int maxInFlight, TransportMetrics metrics) {
        this.serverName = serverName;
        this.handlers = handlers;
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
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
        if (!oneway && inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            reject(ctx, frame, ErrorCode.TOO_MANY_IN_FLIGHT, maxInFlight + " requests already in flight on this "
                    + "connection to " + serverName + " (" + TransportConfig.MAX_IN_FLIGHT + ")");
            return;
        }
        ServerRequestContext request = new ServerRequestContext(this, ctx.channel(), key, frame.requestId(), oneway);
        try {
            handler.handle(request, frame.message(), frame.payload());
        } catch (Throwable t) {
            if (oneway) {
                LOG.warn("handler of oneway {} from {} failed", key, ctx.channel().remoteAddress(), t);
            } else if (!request.isDone()) {
                request.fail(t);
            } else {
                LOG.warn("handler of {} from {} threw after answering", key, ctx.channel().remoteAddress(), t);
            }
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

    /** Called once per answered (non-oneway) request, from any thread. */
    void onAnswered(ApiKey key, ErrorCode code, long nanos) {
        inFlight.decrementAndGet();
        metrics.onRequest(key, code, nanos);
    }

    int inFlight() {
        return inFlight.get();
    }
}
