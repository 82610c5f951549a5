package io.sluice.rpc.internal.endpoint;

import io.netty.util.HashedWheelTimer;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.RemotingClient;
import io.sluice.remoting.transport.RemotingServer;
import io.sluice.remoting.transport.TransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Reconnection with backoff, over real sockets. */
class ProviderChannelTest {
    private final RemotingClient client = new RemotingClient("channel-test", new TransportConfig().ioThreads(1)
            .connectTimeoutMs(1_000), null);
    private final HashedWheelTimer timer = new HashedWheelTimer(10, TimeUnit.MILLISECONDS);
    private RemotingServer server;

    @AfterEach
    void close() {
        client.close();
        timer.stop();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void backsOffWhileTheProviderIsDownAndComesBackVerified() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ProviderChannel channel = new ProviderChannel(client, new InetSocketAddress("127.0.0.1", port), timer, 50,
                400);
        channel.retain();
        channel.connect();
        await().atMost(5, TimeUnit.SECONDS).until(() -> channel.state() == ProviderChannel.State.BACKOFF);
        assertThat(channel.usable()).isFalse();
        assertThatThrownBy(() -> channel.connection().join()).cause().isInstanceOfSatisfying(SluiceException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NETWORK_ERROR));

        server = new RemotingServer("channel-test-server", new TransportConfig().ioThreads(1), null)
                .start("127.0.0.1", port);
        await().atMost(5, TimeUnit.SECONDS).until(() -> channel.state() == ProviderChannel.State.READY);
        assertThat(channel.usable()).isTrue();
        assertThat(channel.connection().get(1, TimeUnit.SECONDS).isActive()).isTrue();
        int generation = channel.generation();

        server.close(); // the provider goes away again
        server = null;
        await().atMost(5, TimeUnit.SECONDS).until(() -> !channel.usable());
        channel.close();
        assertThat(channel.state()).isEqualTo(ProviderChannel.State.CLOSED);
        assertThat(generation).isPositive();
    }
}
