package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.codec.OutboundFrame;
import io.sluice.remoting.protocol.ApiKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The {@link RequestContext} of one request on a server connection. The first answer wins (an atomic flag); it is
 * written on the connection's I/O thread (handed over as a task when answered from another thread, this object
 * being the task), so a connection that closed meanwhile just releases the payload. An answer too large for a frame
 * is replaced by a FRAME_TOO_LARGE error. Thread-safe.
 */
final class ServerRequestContext implements RequestContext, Runnable, ChannelFutureListener {
    private static final Logger LOG = LoggerFactory.getLogger(ServerRequestContext.class);
    private static final AtomicIntegerFieldUpdater<ServerRequestContext> DONE =
            AtomicIntegerFieldUpdater.newUpdater(ServerRequestContext.class, "done");

    private final RequestDispatcher dispatcher;
    private final Channel channel;
    private final ApiKey apiKey;
    private final long requestId;
    private final boolean oneway;
    private final long startNanos;
    private volatile int done;
    private OutboundFrame answer;

    ServerRequestContext(RequestDispatcher dispatcher, Channel channel, ApiKey apiKey, long requestId,
                         boolean oneway) {
        this.dispatcher = dispatcher;
        this.channel = channel;
        this.apiKey = apiKey;
        this.requestId = requestId;
        this.oneway = oneway;
        this.startNanos = System.nanoTime();
    }

    @Override
    public ApiKey apiKey() {
        return apiKey;
    }

    @Override
    public long requestId() {
        return requestId;
    }

    @Override
    public boolean oneway() {
        return oneway;
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public void respond(Object response) {
        respond(response, null);
    }

    @Override
    public void respond(Object response, ByteBuf payload) {
        if (!claim("respond")) {
            release(payload);
            return;
        }
        finish(ErrorCode.NONE, new OutboundFrame(FrameLayout.FLAG_RESPONSE, apiKey.id(), requestId, response,
                payload));
    }

    @Override
    public void fail(ErrorCode code, String message) {
        if (!claim("fail")) {
            return;
        }
        ErrorCode wire = code == null || code == ErrorCode.NONE ? ErrorCode.UNKNOWN : code;
        finish(wire, OutboundFrame.error(apiKey.id(), requestId, wire.id(),
                message == null ? wire.defaultMessage() : message));
    }

    @Override
    public void fail(Throwable cause) {
        SluiceException error = SluiceException.from(cause);
        if (error.code() == ErrorCode.UNKNOWN && !isDone()) {
            LOG.warn("handler of {} from {} failed", apiKey, channel.remoteAddress(), cause);
        }
        fail(error.code(), error.getMessage());
    }

    @Override
    public boolean isDone() {
        return done != 0 || !channel.isActive();
    }

    private boolean claim(String what) {
        if (oneway) {
            return false; // oneway requests take no answer
        }
        if (!DONE.compareAndSet(this, 0, 1)) {
            LOG.debug("ignoring second answer ({}) to request {} of {}", what, requestId, apiKey);
            return false;
        }
        return true;
    }

    private void finish(ErrorCode code, OutboundFrame frame) {
        dispatcher.onAnswered(apiKey, code, System.nanoTime() - startNanos);
        answer = frame;
        if (channel.eventLoop().inEventLoop()) {
            run();
            return;
        }
        try {
            channel.eventLoop().execute(this);
        } catch (RejectedExecutionException e) {
            answer = null;
            release(frame.payload()); // the server is shutting down
        }
    }

    /** Writes the answer; runs on the I/O thread. */
    @Override
    public void run() {
        OutboundFrame frame = answer;
        answer = null;
        if (!channel.isActive()) {
            release(frame.payload());
            return;
        }
        channel.writeAndFlush(frame).addListener(this);
    }

    /** The answer's write finished: if it was refused for its size, tell the caller instead. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (future.isSuccess() || !channel.isActive()) {
            return;
        }
        SluiceException error = SluiceException.from(future.cause());
        if (error.code() == ErrorCode.FRAME_TOO_LARGE || error.code() == ErrorCode.SERIALIZATION_ERROR) {
            LOG.warn("answer to {} request {} from {} could not be sent: {}", apiKey, requestId,
                    channel.remoteAddress(), error.getMessage());
            channel.writeAndFlush(OutboundFrame.error(apiKey.id(), requestId, error.code().id(),
                    "the answer could not be sent: " + error.getMessage()), channel.voidPromise());
        }
    }

    private static void release(ByteBuf payload) {
        if (payload != null && payload.refCnt() > 0) {
            payload.release();
        }
    }
}
