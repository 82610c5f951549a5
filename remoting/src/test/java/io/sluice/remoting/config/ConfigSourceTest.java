package io.sluice.remoting.config;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.transport.TransportConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigSourceTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        System.clearProperty("sluice.test.port");
    }

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, text);
        return file;
    }

    private static void assertInvalid(Runnable action, String... messageParts) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(SluiceException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            for (String part : messageParts) {
                assertThat(e.getMessage()).contains(part);
            }
        });
    }

    @Test
    void nestedMapsFlattenIntoDottedKeys() throws IOException {
        ConfigSource source = ConfigSource.fromYaml(yaml("""
                sluice:
                  broker:
                    port: 9911
                    data.dir: /var/sluice
                  transport.request.timeout.ms: 500
                  nameserver:
                    addresses: [127.0.0.1:9876, 127.0.0.1:9877]
                    enabled: TRUE
                """));
        assertThat(source.getInt("sluice.broker.port", 0)).isEqualTo(9911);
        assertThat(source.getString("sluice.broker.data.dir", null)).isEqualTo("/var/sluice");
        assertThat(source.getLong("sluice.transport.request.timeout.ms", 0)).isEqualTo(500);
        assertThat(source.getList("sluice.nameserver.addresses", List.of()))
                .containsExactly("127.0.0.1:9876", "127.0.0.1:9877");
        assertThat(source.getBoolean("sluice.nameserver.enabled", false)).isTrue();
        assertThat(source.getInt("sluice.absent", 42)).isEqualTo(42);
        assertThat(source.withPrefix("sluice.broker.")).containsOnlyKeys("port", "data.dir");
        assertThat(source.origin("sluice.broker.port")).contains("sluice.yaml");
    }

    @Test
    void laterLayersOverrideEarlierOnes() throws IOException {
        Path file = yaml("sluice: { test: { port: 1, name: from-file, keep: yes-file } }");
        System.setProperty("sluice.test.port", "2");
        ConfigSource source = ConfigSource.load(file, Map.of("sluice.test.name", "from-cli"));
        assertThat(source.getInt("sluice.test.port", 0)).isEqualTo(2);
        assertThat(source.origin("sluice.test.port")).isEqualTo("system properties");
        assertThat(source.getString("sluice.test.name", null)).isEqualTo("from-cli");
        assertThat(source.getString("sluice.test.keep", null)).isEqualTo("yes-file");
    }

    @Test
    void aBadValueNamesTheKeyTheValueAndTheFile() throws IOException {
        ConfigSource source = ConfigSource.fromYaml(yaml("sluice:\n  broker:\n    port: ninety\n    flag: maybe\n"));
        assertInvalid(() -> source.getInt("sluice.broker.port", 0),
                "sluice.broker.port=ninety is not a valid int", "sluice.yaml");
        assertInvalid(() -> source.getBoolean("sluice.broker.flag", false), "sluice.broker.flag=maybe", "boolean");
        assertInvalid(() -> source.getDuration("sluice.broker.port", Duration.ZERO), "duration");
    }

    @Test
    void durationsTakeUnits() {
        ConfigSource source = ConfigSource.fromMap(Map.of("a", "500ms", "b", "10s", "c", "5m", "d", "250",
                "e", "PT2H", "f", "1_000"), "test");
        assertThat(source.getDuration("a", null)).isEqualTo(Duration.ofMillis(500));
        assertThat(source.getDuration("b", null)).isEqualTo(Duration.ofSeconds(10));
        assertThat(source.getDuration("c", null)).isEqualTo(Duration.ofMinutes(5));
        assertThat(source.getDuration("d", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(source.getDuration("e", null)).isEqualTo(Duration.ofHours(2));
        assertThat(source.getLong("f", 0)).isEqualTo(1000);
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");
        assertInvalid(() -> ConfigSource.fromYaml(missing), missing.toAbsolutePath().toString(), "does not exist");
    }

    @Test
    void malformedYamlNamesTheLine() throws IOException {
        Path file = yaml("sluice:\n  broker:\n    port: 1\n  bad: [unclosed\n  other: 2\n");
        assertInvalid(() -> ConfigSource.fromYaml(file), "not valid YAML", "line ");
    }

    @Test
    void duplicateKeysAreRefused() throws IOException {
        Path file = yaml("sluice:\n  port: 1\n  port: 2\n");
        assertInvalid(() -> ConfigSource.fromYaml(file), "line 3");
    }

    @Test
    void transportConfigReadsItsKeys() {
        ConfigSource source = ConfigSource.fromMap(Map.of("sluice", Map.of("transport", Map.of(
                "max.frame.bytes", 2048, "heartbeat.interval.ms", 250, "max.in.flight.requests", 7))), "test");
        TransportConfig config = TransportConfig.from(source).conclude();
        assertThat(config.maxFrameBytes()).isEqualTo(2048);
        assertThat(config.heartbeatIntervalMs()).isEqualTo(250);
        assertThat(config.maxInFlight()).isEqualTo(7);
        assertThat(config.requestTimeoutMs()).isEqualTo(TransportConfig.REQUEST_TIMEOUT_MS_DEFAULT);

        ConfigSource bad = ConfigSource.fromMap(Map.of(TransportConfig.MAX_IN_FLIGHT, "0"), "test");
        assertInvalid(() -> TransportConfig.from(bad).conclude(), TransportConfig.MAX_IN_FLIGHT + "=0");
    }

    @Test
    void livenessKeysAreReadValidatedAndTheRemovedMissesKeyIsRefused() {
        ConfigSource source = ConfigSource.fromMap(Map.of("sluice", Map.of("transport", Map.of(
                "liveness.detector", "PHI", "liveness.timeout.ms", 20_000, "liveness.phi.threshold", 10.5,
                "liveness.phi.acceptable.pause.ms", 5_000, "liveness.phi.min.std.deviation.ms", 300,
                "connections.max.idle.ms", 60_000))), "test");
        TransportConfig config = TransportConfig.from(source).conclude();
        assertThat(config.livenessDetector()).isEqualTo(TransportConfig.Detector.PHI);
        assertThat(config.livenessTimeoutMs()).isEqualTo(20_000);
        assertThat(config.phiThreshold()).isEqualTo(10.5);
        assertThat(config.phiAcceptablePauseMs()).isEqualTo(5_000);
        assertThat(config.phiMinStdDeviationMs()).isEqualTo(300);
        assertThat(config.connectionsMaxIdleMs()).isEqualTo(60_000);
        TransportConfig defaults = TransportConfig.from(ConfigSource.empty()).conclude();
        assertThat(defaults.livenessDetector()).isEqualTo(TransportConfig.Detector.TIMEOUT);
        assertThat(defaults.livenessTimeoutMs()).isEqualTo(defaults.requestTimeoutMs()).isEqualTo(30_000);

        ConfigSource unknown = ConfigSource.fromMap(Map.of(TransportConfig.LIVENESS_DETECTOR, "gossip"), "test");
        assertInvalid(() -> TransportConfig.from(unknown), TransportConfig.LIVENESS_DETECTOR + "=gossip",
                "timeout, phi");
        ConfigSource removed = ConfigSource.fromMap(Map.of("sluice.transport.heartbeat.misses", 5), "old.yaml");
        assertInvalid(() -> TransportConfig.from(removed), "sluice.transport.heartbeat.misses", "old.yaml",
                TransportConfig.LIVENESS_TIMEOUT_MS);
        ConfigSource tooShort = ConfigSource.fromMap(Map.of(TransportConfig.LIVENESS_TIMEOUT_MS, 1_000), "test");
        assertInvalid(() -> TransportConfig.from(tooShort).conclude(), TransportConfig.LIVENESS_TIMEOUT_MS + "=1000",
                TransportConfig.HEARTBEAT_INTERVAL_MS);
    }
}
