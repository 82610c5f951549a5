package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.remoting.protocol.ApiKey;

import java.util.concurrent.CompletableFuture;

/**
 * One request of a {@link ClientConnection} awaiting its answer; it is itself the future returned to the caller.
 * To spare allocations on the request path it also serves as the task that sends it on the I/O thread, as its own
 * timeout task, and as the listener of its write: {@link #run()} sends the first time and times out afterwards.
 * Fields other than the future's state are used on the connection's I/O thread only.
 */
final class PendingRequest extends CompletableFuture<Response> implements Runnable, ChannelFutureListener {
    private final ClientConnection connection;
    final long requestId;
    final ApiKey apiKey;
    final long timeoutMs;
    final long startNanos;
    private Object message;
    private ByteBuf payload;
    private boolean sent;
    /** {@link ReadActivity#reads()} when it was written: unchanged at its timeout means nothing was heard since. */
    long readsAtSend;
    ScheduledFuture<?> timeout;

    PendingRequest(ClientConnection connection, long requestId, ApiKey apiKey, Object message, ByteBuf payload,
                   long timeoutMs) {
        this.connection = connection;
        this.requestId = requestId;
        this.apiKey = apiKey;
        this.message = message;
        this.payload = payload;
        this.timeoutMs = timeoutMs;
        this.startNanos = System.nanoTime();
    }

    /** Hands the message and payload over (once) for writing. */
    Object takeMessage() {
        Object m = message;
        message = null;
        return m;
    }

    ByteBuf takePayload() {
        ByteBuf p = payload;
        payload = null;
        return p;
    }

    @Override
    public void run() {
        if (!sent) {
            sent = true;
            connection.dispatch(this);
        } else {
            connection.onTimeout(this);
        }
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        if (!future.isSuccess()) {
            connection.onWriteFailed(this, future.cause());
        }
    }

    /** Stops the timeout task, if one was scheduled. */
    void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
