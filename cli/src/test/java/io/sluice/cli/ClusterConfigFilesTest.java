package io.sluice.cli;

import io.sluice.broker.server.BrokerConfig;
import io.sluice.nameserver.NameServerConfig;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.config.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shipped conf/cluster files describe one loopback cluster the server commands can start from. */
class ClusterConfigFilesTest {
    private static final Path DIR = Path.of("..", "conf", "cluster");

    private static ConfigSource load(String file, Map<String, String> overrides) {
        return ServerConfigs.load(DIR.resolve(file), overrides);
    }

    @Test
    void brokersAndNameserversHaveTheirOwnPortsAndDataDirsOnLoopback() {
        Set<Integer> ports = new HashSet<>();
        Set<Path> dataDirs = new HashSet<>();
        ports.add(load("zookeeper.yaml", Map.of()).getInt(ZooKeeperCommand.PORT, -1));
        for (int id = 1; id <= 3; id++) {
            ConfigSource cfg = load("broker-" + id + ".yaml", Map.of());
            BrokerConfig broker = ServerConfigs.broker(cfg);
            assertThat(broker.id()).isEqualTo(id);
            assertThat(broker.host()).isEqualTo("127.0.0.1");
            assertThat(broker.rack()).isEqualTo("rack-" + id);
            assertThat(ports.add(broker.port())).as("port %d of broker %d is unique", broker.port(), id).isTrue();
            assertThat(ports.add(broker.metricsPort())).isTrue();
            assertThat(dataDirs.add(broker.dataDir())).isTrue();
            assertThat(ServerConfigs.registry(cfg).connectString()).isEqualTo("127.0.0.1:2181");
        }
        for (int n = 1; n <= 2; n++) {
            NameServerConfig ns = ServerConfigs.nameserver(load("nameserver-" + n + ".yaml", Map.of()));
            assertThat(ns.host()).isEqualTo("127.0.0.1");
            assertThat(ports.add(ns.port())).isTrue();
            assertThat(ports.add(ns.metricsPort())).isTrue();
        }
        assertThat(ports).hasSize(11).contains(2181, 9876, 9886, 9911, 9921, 9931);
    }

    /**
     * A key no server part knows is refused at start, naming it, where it came from and the known key it is closest
     * to: a typo in a file ({@code prot:} for {@code port:}), an option, a system property in a known section.
     * Every shipped file loads clean.
     */
    @Test
    void anUnknownSettingStopsTheStartNamingTheClosestKnownOne(@TempDir Path dir) throws Exception {
        for (String file : List.of("zookeeper.yaml", "broker-1.yaml", "broker-2.yaml", "broker-3.yaml",
                "nameserver-1.yaml", "nameserver-2.yaml")) {
            load(file, Map.of());
        }
        ServerConfigs.load(Path.of("..", "conf", "sluice.yaml"), Map.of());

        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "sluice:\n  nameserver:\n    prot: 9876\n");
        assertInvalid(() -> ServerConfigs.load(typo, Map.of()), "unknown setting 'sluice.nameserver.prot' (from "
                + typo + "): did you mean 'sluice.nameserver.port'?");
        assertInvalid(() -> load("broker-1.yaml", Map.of("sluice.log.retention.msx", "1000")),
                "unknown setting 'sluice.log.retention.msx' (from overrides): did you mean 'sluice.log.retention.ms'?");
        assertInvalid(() -> load("broker-1.yaml", Map.of("sluice.broker.no.such.key", "1")),
                "unknown setting 'sluice.broker.no.such.key' (from overrides); every setting is listed");

        StringWriter err = new StringWriter();
        int code = SluiceCli.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "nameserver", "--set", "sluice.transport.heartbeat.intervl.ms=100");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).startsWith("error: INVALID_CONFIG: unknown setting "
                + "'sluice.transport.heartbeat.intervl.ms' (from overrides): did you mean "
                + "'sluice.transport.heartbeat.interval.ms'?");

        String property = "sluice.broker.metrics.prot";
        System.setProperty(property, "1");
        try {
            assertInvalid(() -> load("broker-1.yaml", Map.of()), "unknown setting '" + property
                    + "' (from system properties): did you mean 'sluice.broker.metrics.port'?");
        } finally {
            System.clearProperty(property);
        }
    }

    private static void assertInvalid(Runnable load, String message) {
        assertThatThrownBy(load::run).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void replicaSettingsComeFromTheFileAndOptionsOverrideThem() {
        BrokerConfig fromFile = ServerConfigs.broker(load("broker-2.yaml", Map.of()));
        assertThat(fromFile.replication().lagTimeMaxMs()).isEqualTo(10_000);
        assertThat(fromFile.replication().fetchMaxWaitMs()).isEqualTo(500);

        BrokerConfig overridden = ServerConfigs.broker(load("broker-2.yaml",
                Map.of("sluice.replica.lag.time.max.ms", "2500", "sluice.replica.fetch.max.bytes", "65536")));
        assertThat(overridden.replication().lagTimeMaxMs()).isEqualTo(2_500);
        assertThat(overridden.replication().fetchMaxBytes()).isEqualTo(65_536);

        assertThatThrownBy(() -> ServerConfigs.broker(load("broker-2.yaml",
                Map.of("sluice.replica.lag.time.max.ms", "5"))))
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("sluice.replica.lag.time.max.ms");
                });
    }
}
