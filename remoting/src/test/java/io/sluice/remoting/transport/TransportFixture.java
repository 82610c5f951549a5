package io.sluice.remoting.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.remoting.SluiceException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Helpers for transport tests: servers and clients on 127.0.0.1 that are closed after each test. */
final class TransportFixture implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private final List<AutoCloseable> closeables = new ArrayList<>();

    static TransportConfig config() {
        return new TransportConfig().ioThreads(1).requestTimeoutMs(5_000).connectTimeoutMs(2_000);
    }

    RemotingServer server(RemotingServer server) {
        closeables.add(server);
        return server;
    }

    RemotingClient client(TransportConfig config) {
        RemotingClient client = new RemotingClient("test-client", config, null);
        closeables.add(client);
        return client;
    }

    Connection connect(RemotingClient client, RemotingServer server) throws Exception {
        return client.connect(server.localAddress()).get(5, TimeUnit.SECONDS);
    }

    static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** The SluiceException a future failed with. */
    static SluiceException failure(CompletableFuture<?> future) {
        Throwable t = catchThrowable(() -> future.get(10, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).isInstanceOf(SluiceException.class);
        return (SluiceException) t.getCause();
    }

    @Override
    public void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }
}
