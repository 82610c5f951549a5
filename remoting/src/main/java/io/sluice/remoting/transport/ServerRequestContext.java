package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.RateLimitedLog;
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
 * being the task). An answer for a connection that is gone is released at once; one that is waiting to be written
 * counts against the connection's and the server's bounds ({@link RequestDispatcher#onAnswerQueued}) until its
 * write completes or fails. An answer too large for a frame is replaced by a FRAME_TOO_LARGE error. When the
 * connection closes first, the request is abandoned: later answers are dropped and the handler's
 * {@link #onAbandoned} action runs. Thread-safe.
 */
final class ServerRequestContext implements RequestContext, Runnable, ChannelFutureListener {
    private static final Logger LOG = LoggerFactory.getLogger(ServerRequestContext.class);
    private static final RateLimitedLog FAILURES = RateLimitedLog.of(LOG);
    private static final AtomicIntegerFieldUpdater<ServerRequestContext> DONE =
            AtomicIntegerFieldUpdater.newUpdater(ServerRequestContext.class, "done");
    private static final int OPEN = 0;
    private static final int ANSWERED = 1;
    private static final int ABANDONED = 2;
    /** Header and a small body: what an answer costs besides its payload. */
    private static final int ANSWER_OVERHEAD = 64;

    private final RequestDispatcher dispatcher;
    private final Channel channel;
    private final ApiKey apiKey;
    private final long requestId;
    private final boolean oneway;
    private final long startNanos;
    private volatile int done;
    private volatile Runnable abandonAction;
    private OutboundFrame answer;
    private int answerBytes;

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
    public Runnable onConnectionClosed(Runnable action) {
        ChannelFutureListener listener = f -> action.run();
        channel.closeFuture().addListener(listener);
        return () -> channel.closeFuture().removeListener(listener);
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
            FAILURES.warn("unexpected:" + apiKey, "handler of {} from {} failed", apiKey, channel.remoteAddress(),
                    cause);
        }
        fail(error.code(), error.getMessage());
    }

    @Override
    public boolean isDone() {
        return done != OPEN || !channel.isActive();
    }

    @Override
    public void onAbandoned(Runnable action) {
        if (oneway || done != OPEN) {
            return;
        }
        abandonAction = action;
        dispatcher.abandonable(this);
    }

    @Override
    public boolean backlogged() {
        return dispatcher.backlogged();
    }

    /** The connection closed before an answer: drop the request (runs the handler's action once). */
    void abandon() {
        if (!DONE.compareAndSet(this, OPEN, ABANDONED)) {
            return;
        }
        Runnable action = abandonAction;
        abandonAction = null;
        if (action != null) {
            try {
                action.run();
            } catch (RuntimeException e) {
                FAILURES.warn("abandon:" + apiKey, "dropping {} request {} of a closed connection failed", apiKey,
                        requestId, e);
            }
        }
    }

    private boolean claim(String what) {
        if (oneway) {
            return false; // oneway requests take no answer
        }
        if (!DONE.compareAndSet(this, OPEN, ANSWERED)) {
            LOG.debug("ignoring answer ({}) to request {} of {}: answered already or abandoned", what, requestId,
                    apiKey);
            return false;
        }
        return true;
    }

    private void finish(ErrorCode code, OutboundFrame frame) {
        dispatcher.onAnswered(apiKey, code, System.nanoTime() - startNanos);
        if (abandonAction != null) {
            abandonAction = null;
            dispatcher.answered(this);
        }
        if (!channel.isActive()) {
            release(frame.payload()); // too late: nobody to tell
            return;
        }
        // the memory it holds, not just the bytes it will send: a small answer in a big buffer holds the buffer
        int bytes = ANSWER_OVERHEAD + (frame.payload() == null ? 0 : frame.payload().capacity());
        dispatcher.onAnswerQueued(bytes);
        answer = frame;
        answerBytes = bytes;
        if (channel.eventLoop().inEventLoop()) {
            run();
            return;
        }
        try {
            channel.eventLoop().execute(this);
        } catch (RejectedExecutionException e) {
            answer = null;
            release(frame.payload()); // the server is shutting down
            dispatcher.onAnswerWritten(bytes);
        }
    }

    /** Writes the answer; runs on the I/O thread. */
    @Override
    public void run() {
        OutboundFrame frame = answer;
        answer = null;
        if (!channel.isActive()) {
            release(frame.payload());
            dispatcher.onAnswerWritten(answerBytes);
            return;
        }
        channel.writeAndFlush(frame).addListener(this);
    }

    /** The answer's write finished: its bytes no longer wait; if it was refused for its size, tell the caller. */
    @Override
    public void operationComplete(ChannelFuture future) {
        dispatcher.onAnswerWritten(answerBytes);
        if (future.isSuccess() || !channel.isActive()) {
            return;
        }
        SluiceException error = SluiceException.from(future.cause());
        if (error.code() == ErrorCode.FRAME_TOO_LARGE || error.code() == ErrorCode.SERIALIZATION_ERROR) {
            FAILURES.warn("unsendable:" + error.code(), "answer to {} request {} from {} could not be sent: {}",
                    apiKey, requestId, channel.remoteAddress(), error.getMessage());
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
