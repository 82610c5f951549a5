package io.sluice.remoting.transport;

import io.micrometer.core.instrument.MeterRegistry;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Opens and pools {@link Connection}s to Sluice servers; owns the client I/O threads. Thread-safe.
 */
public final class RemotingClient implements AutoCloseable {
    /** {@code metrics} may be null. */
    public RemotingClient(String name, TransportConfig config, MeterRegistry metrics) {
        throw new UnsupportedOperationException("TODO transport");
    }

    /** Opens a new connection (not pooled); fails with NETWORK_ERROR if it cannot connect within the timeout. */
    public CompletableFuture<Connection> connect(InetSocketAddress address) {
        throw new UnsupportedOperationException("TODO transport");
    }

    /** The pooled connection to {@code address}, opened on first use and reopened after it closes. */
    public CompletableFuture<Connection> connection(InetSocketAddress address) {
        throw new UnsupportedOperationException("TODO transport");
    }

    public TransportConfig config() {
        throw new UnsupportedOperationException("TODO transport");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO transport");
    }
}
