package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.protocol.ApiKey;

import java.net.SocketAddress;

/**
 * One received request and the way to answer it. Exactly one of the answer methods takes effect; later calls
 * are ignored (and logged). Thread-safe: answers may come from any thread.
 */
public interface RequestContext {
    ApiKey apiKey();

    long requestId();

    /** True if the caller expects no answer. */
    boolean oneway();

    SocketAddress remoteAddress();

    /** The I/O thread of this connection, for work that should stay on it (e.g. parking a fetch). */
    EventExecutor executor();

    /** The allocator of this connection, for response payloads. */
    ByteBufAllocator alloc();

    /** Answers with a response body and no payload. */
    void respond(Object response);

    /**
     * Answers with a response body and a payload; the transport takes ownership of {@code payload}. To answer with
     * (part of) the request's own payload, which the transport releases when the handler returns, pass
     * {@code payload.retain()} or a {@code retainedSlice}.
     */
    void respond(Object response, ByteBuf payload);

    /** Answers with an error. */
    void fail(ErrorCode code, String message);

    /** Answers with the error for {@code cause}: its code if it is a {@code SluiceException}, else UNKNOWN. */
    void fail(Throwable cause);

    /** True once an answer was sent (or the connection closed). */
    boolean isDone();

    /**
     * Runs {@code action} once if the connection closes before this request is answered (on the connection's I/O
     * thread; at once on the caller's thread if it has closed already), after which answers are dropped. A handler
     * that parks a request registers here to drop it, and what it holds, as soon as nobody waits for it.
     * Implementations that cannot tell never run it.
     */
    default void onAbandoned(Runnable action) {
    }

    /**
     * Runs {@code action} once when this request's connection closes, answered or not (at once if it has closed):
     * for state a handler keeps per connection beyond one request, such as a fetch session. Returns an action that
     * forgets {@code action} (for state dropped earlier), so that a long-lived connection holds no stale ones.
     * Implementations that cannot tell never run it.
     */
    default Runnable onConnectionClosed(Runnable action) {
        return () -> { };
    }

    /**
     * True while answers already waiting to be written to this connection exceed its bound (the peer reads slowly
     * or not at all): a handler with a choice, such as a fetch woken after a long poll, should answer small.
     */
    default boolean backlogged() {
        return false;
    }
}
