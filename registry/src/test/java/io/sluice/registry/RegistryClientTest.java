package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryClientTest {
    @TempDir
    Path dir;

    @Test
    void connectingWhereNothingListensFailsWithRegistryUnavailableWithinTheTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RegistryConfig config = new RegistryConfig().connect("127.0.0.1:" + port).connectionTimeoutMs(1_000)
                .sessionTimeoutMs(2_000);
        SluiceException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                RegistryClient.connect(config).close();
                return null;
            } catch (SluiceException thrown) {
                return thrown;
            }
        });
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.REGISTRY_UNAVAILABLE);
        assertThat(e.getMessage()).contains("127.0.0.1:" + port);
    }

    @Test
    void connectionListenersHearOfLossAndRecovery() throws Exception {
        Path data = dir.resolve("zk");
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(data, "127.0.0.1", 0);
        int port = zk.port();
        List<Boolean> events = new CopyOnWriteArrayList<>();
        try (RegistryClient client = RegistryClient.connect(ZkTests.config(zk))) {
            client.addConnectionListener(events::add);
            zk.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.contains(false));
            assertThat(client.isConnected()).isFalse();
            zk = EmbeddedZooKeeper.start(data, "127.0.0.1", port);
            await().atMost(Duration.ofSeconds(15)).until(() -> !events.isEmpty() && events.get(events.size() - 1));
            assertThat(client.isConnected()).isTrue();
        } finally {
            zk.close();
        }
    }

    @Test
    void sessionListenersTellAReconnectInTheSameSessionFromANewSession() throws Exception {
        Path data = dir.resolve("zk-session");
        EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(data, "127.0.0.1", 0);
        int port = zk.port();
        List<SessionEvent> events = new CopyOnWriteArrayList<>();
        try (RegistryClient client = RegistryClient.connect(ZkTests.config(zk))) {
            AutoCloseable subscription = client.addSessionListener(events::add);
            // a short outage: the server keeps the session (restored from its data), the client resumes it
            zk.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.contains(SessionEvent.SUSPENDED));
            zk = EmbeddedZooKeeper.start(data, "127.0.0.1", port);
            await().atMost(Duration.ofSeconds(15)).until(() -> events.contains(SessionEvent.RECONNECTED));
            assertThat(events).containsExactly(SessionEvent.SUSPENDED, SessionEvent.RECONNECTED);

            // an outage longer than the session timeout: the session is lost, the next connection is a new one
            events.clear();
            zk.close();
            await().atMost(Duration.ofSeconds(20)).until(() -> events.contains(SessionEvent.LOST));
            zk = EmbeddedZooKeeper.start(data, "127.0.0.1", port);
            await().atMost(Duration.ofSeconds(20)).until(() -> events.contains(SessionEvent.NEW_SESSION));
            assertThat(events).startsWith(SessionEvent.SUSPENDED).doesNotContain(SessionEvent.RECONNECTED);

            subscription.close();
            events.clear();
            zk.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !client.isConnected());
            assertThat(events).as("no events after the listener was removed").isEmpty();
            zk = EmbeddedZooKeeper.start(data, "127.0.0.1", port);
        } finally {
            zk.close();
        }
    }

    @Test
    void electionNamesThatCollideWithTheLayoutAreRefused() throws Exception {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk2"), "127.0.0.1", 0);
                RegistryClient client = RegistryClient.connect(ZkTests.config(zk))) {
            for (String bad : new String[] {"brokers", "topics", "services", "x_epoch", "a/b", ""}) {
                assertThatThrownBy(() -> client.election(bad, "p1")).as(bad)
                        .isInstanceOfSatisfying(SluiceException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
            }
        }
    }
}
