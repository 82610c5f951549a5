package io.sluice.remoting.transport;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.remoting.protocol.ApiKey;

import java.net.InetSocketAddress;

/**
 * A Netty server speaking the Sluice frame protocol (see {@link FrameLayout}). Register a {@link RequestHandler}
 * per {@link ApiKey}, then {@link #start}. Requests of unregistered types are answered UNSUPPORTED_API; heartbeats
 * are answered by the transport itself. A malformed frame closes only its connection.
 */
public final class RemotingServer implements AutoCloseable {
    public RemotingServer(String name, TransportConfig config, MeterRegistry metrics) {
        throw new UnsupportedOperationException("TODO transport");
    }

    /** Registers the handler of one request type; call before {@link #start}. */
    public RemotingServer handle(ApiKey key, RequestHandler handler) {
        throw new UnsupportedOperationException("TODO transport");
    }

    /** Binds and starts serving; throws {@code SluiceException(PORT_IN_USE)} if the port is taken. Port 0 picks one. */
    public RemotingServer start(String host, int port) {
        throw new UnsupportedOperationException("TODO transport");
    }

    public InetSocketAddress localAddress() {
        throw new UnsupportedOperationException("TODO transport");
    }

    public int connectionCount() {
        throw new UnsupportedOperationException("TODO transport");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO transport");
    }
}
