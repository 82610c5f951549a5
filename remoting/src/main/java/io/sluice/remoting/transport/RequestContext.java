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
}
