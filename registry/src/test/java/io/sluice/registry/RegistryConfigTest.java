package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {
    @Test
    void defaultsAreValid() {
        RegistryConfig config = new RegistryConfig().conclude();
        assertThat(config.connectString()).isEqualTo("127.0.0.1:2181");
        assertThat(config.root()).isEqualTo("/sluice");
        assertThat(config.sessionTimeoutMs()).isEqualTo(10_000);
        assertThat(config.connectionTimeoutMs()).isEqualTo(5_000);
    }

    @Test
    void acceptsZookeeperUrlsAndPlainHostLists() {
        assertThat(new RegistryConfig().connect("zookeeper://10.0.0.1:2181,10.0.0.2:2182").conclude()
                .connectString()).isEqualTo("10.0.0.1:2181,10.0.0.2:2182");
        assertThat(new RegistryConfig().connect("ZooKeeper://zk1,zk2:2200/").conclude().connectString())
                .isEqualTo("zk1:2181,zk2:2200");
        assertThat(new RegistryConfig().connect(" a:1 , b:2 ").conclude().connectString()).isEqualTo("a:1,b:2");
    }

    @Test
    void refusesMalformedConnectStringsNamingTheKey() {
        for (String bad : new String[] {"", "http://a:1", "a:0", "a:70000", "a:x", "a:1,,b:2", "a:1/chroot"}) {
            assertThatThrownBy(() -> new RegistryConfig().connect(bad).conclude())
                    .as(bad)
                    .isInstanceOfSatisfying(SluiceException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                    .hasMessageContaining(RegistryConfig.CONNECT);
        }
    }

    @Test
    void refusesBadRootsAndTimeouts() {
        assertInvalid(new RegistryConfig().root("sluice"), RegistryConfig.ROOT);
        assertInvalid(new RegistryConfig().root("/sluice/"), RegistryConfig.ROOT);
        assertInvalid(new RegistryConfig().root("/a//b"), RegistryConfig.ROOT);
        assertInvalid(new RegistryConfig().sessionTimeoutMs(10), RegistryConfig.SESSION_TIMEOUT_MS);
        assertInvalid(new RegistryConfig().connectionTimeoutMs(0), RegistryConfig.CONNECTION_TIMEOUT_MS);
        assertInvalid(new RegistryConfig().retryBaseMs(500).retryMaxMs(100), RegistryConfig.RETRY_MAX_MS);
        assertInvalid(new RegistryConfig().retryMaxAttempts(30), RegistryConfig.RETRY_MAX_ATTEMPTS);
        assertThat(new RegistryConfig().root("/").conclude().root()).isEqualTo("/");
        assertThat(new RegistryConfig().root("/a/b").conclude().root()).isEqualTo("/a/b");
    }

    @Test
    void readsKeysFromAMap() {
        RegistryConfig config = new RegistryConfig().apply(Map.of(
                RegistryConfig.CONNECT, "zookeeper://zk:2999",
                RegistryConfig.ROOT, "/other",
                RegistryConfig.SESSION_TIMEOUT_MS, "4000")).conclude();
        assertThat(config.connectString()).isEqualTo("zk:2999");
        assertThat(config.root()).isEqualTo("/other");
        assertThat(config.sessionTimeoutMs()).isEqualTo(4000);
        assertThatThrownBy(() -> new RegistryConfig().apply(Map.of(RegistryConfig.RETRY_BASE_MS, "soon")))
                .hasMessageContaining(RegistryConfig.RETRY_BASE_MS);
    }

    private static void assertInvalid(RegistryConfig config, String key) {
        assertThatThrownBy(config::conclude)
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining(key);
    }
}
