package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedZooKeeperTest {
    @TempDir
    Path dir;

    @Test
    void servesClientsAndKeepsDataAcrossARestartOnTheSameDirectory() throws Exception {
        RegistryConfig config;
        int port;
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0)) {
            port = zk.port();
            assertThat(port).isPositive();
            assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + port);
            config = ZkTests.config(zk);
            try (RegistryClient client = RegistryClient.connect(config)) {
                assertThat(client.isConnected()).isTrue();
                client.curator().create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT)
                        .forPath("/kept", "hello".getBytes());
                client.topics().create(TopicMetadata.withAssignment("orders",
                        java.util.List.of(java.util.List.of(1)), java.util.Map.of()));
            }
        }
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), "127.0.0.1", 0);
                RegistryClient client = RegistryClient.connect(ZkTests.sameRoot(config)
                        .connect(zk.connectString()))) {
            assertThat(new String(client.curator().getData().forPath("/kept"))).isEqualTo("hello");
            assertThat(client.topics().list()).containsExactly("orders");
        }
    }

    @Test
    void aTakenPortIsReportedAsPortInUse() {
        try (EmbeddedZooKeeper first = EmbeddedZooKeeper.start(dir.resolve("a"), "127.0.0.1", 0)) {
            assertThatThrownBy(() -> EmbeddedZooKeeper.start(dir.resolve("b"), "127.0.0.1", first.port()))
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE))
                    .hasMessageContaining(String.valueOf(first.port()));
        }
    }

    @Test
    void anUnusableDataDirectoryIsReported() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        assertThatThrownBy(() -> EmbeddedZooKeeper.start(file.resolve("zk"), "127.0.0.1", 0))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DATA_DIR_NOT_WRITABLE))
                .hasMessageContaining("plain-file");
    }

    @Test
    void refusesToBindAWildcardAddress() {
        assertThatThrownBy(() -> EmbeddedZooKeeper.start(dir.resolve("w"), "0.0.0.0", 0))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
    }
}
