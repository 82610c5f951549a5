package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A successful answer: the decoded response body and the payload that came with it. The receiver owns the
 * payload and must {@link #close()} the response (which releases it) when done.
 */
public final class Response implements AutoCloseable {
    private final Object message;
    private final ByteBuf payload;

    public Response(Object message, ByteBuf payload) {
        this.message = message;
        this.payload = payload == null ? Unpooled.EMPTY_BUFFER : payload;
    }

    @SuppressWarnings("unchecked")
    public <T> T message() {
        return (T) message;
    }

    public ByteBuf payload() {
        return payload;
    }

    @Override
    public void close() {
        if (payload.refCnt() > 0) {
            payload.release();
        }
    }
}
