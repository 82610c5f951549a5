package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;

/**
 * Serves one request type on a {@link RemotingServer}.
 *
 * <p>Called on the connection's I/O thread: it must not block. Answer exactly once through {@code ctx}
 * ({@link RequestContext#respond} or {@link RequestContext#fail}), now or later from any thread; oneway requests
 * take no answer. A handler that throws is answered with the error for it (see {@code SluiceException}) and the
 * connection stays open.
 *
 * <p>Buffer ownership: the transport releases {@code payload} after this method returns. A handler that keeps the
 * payload past its return must {@code retain()} it and release it when done.
 */
@FunctionalInterface
public interface RequestHandler {
    void handle(RequestContext ctx, Object request, ByteBuf payload);
}
