package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.sluice.remoting.protocol.ApiKey;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * One client connection to a server; many requests may be in flight on it at once (up to the configured limit),
 * matched to their answers by request id.
 *
 * <p>Failures complete the future exceptionally with a {@code SluiceException}: the server's error code for an
 * error answer, {@code REQUEST_TIMED_OUT} after the timeout (a late answer is dropped and its payload released),
 * {@code NETWORK_ERROR} when the connection closes, {@code TOO_MANY_IN_FLIGHT} when the in-flight limit is reached.
 * Thread-safe.
 */
public interface Connection extends AutoCloseable {
    /**
     * Sends a request. Takes ownership of {@code payload} (may be null), releasing it once written or on failure.
     * A {@code timeoutMs} of zero or less means the configured default ({@link TransportConfig#requestTimeoutMs()}).
     * The future completes on the connection's I/O thread; do not block in its callbacks.
     */
    CompletableFuture<Response> request(ApiKey apiKey, Object message, ByteBuf payload, long timeoutMs);

    /** Sends a request that takes no answer; the future completes once it is written. */
    CompletableFuture<Void> send(ApiKey apiKey, Object message, ByteBuf payload);

    InetSocketAddress remoteAddress();

    boolean isActive();

    /**
     * False while the connection's outgoing buffer is above its high water mark (the peer or the network is slower
     * than the sender): a good moment to stop sending until it drains.
     */
    default boolean isWritable() {
        return isActive();
    }

    /** Requests sent and not yet answered. */
    int inFlight();

    /** Completes when the connection closes, for any reason. */
    CompletableFuture<Void> closeFuture();

    @Override
    void close();
}
