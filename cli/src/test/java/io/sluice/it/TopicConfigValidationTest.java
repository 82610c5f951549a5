package io.sluice.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.cli.SluiceCli;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.registry.RegistryClient;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.TopicMetadata;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Topic configs are validated at creation by the code the broker applies them with: {@code topic create --config
 * roll.cycle=NOPE} (and other values no broker could apply, or unknown keys) is refused with INVALID_CONFIG naming
 * the key. A topic that carries such a config anyway (written by an older nameserver, here straight into the
 * registry) is hosted with the broker's default for it, logged once however often the registry notifies, and
 * {@code topic describe} answers.
 */
class TopicConfigValidationTest {
    @TempDir
    Path dir;

    private Standalone cluster;
    private ListAppender<ILoggingEvent> brokerLog;
    private Logger brokerLogger;

    @BeforeEach
    void start() {
        cluster = Standalone.start(StandaloneSettings.forTests(dir, 1));
        brokerLogger = (Logger) LoggerFactory.getLogger("io.sluice.broker");
        brokerLog = new ListAppender<>();
        brokerLog.start();
        brokerLogger.addAppender(brokerLog);
    }

    @AfterEach
    void stop() {
        if (brokerLogger != null) {
            brokerLogger.detachAppender(brokerLog);
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Result(int code, String out, String err, long tookMs) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 2];
        System.arraycopy(args, 0, full, 0, args.length);
        full[args.length] = "--nameserver";
        full[args.length + 1] = cluster.nameservers();
        long start = System.nanoTime();
        int code = SluiceCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(code, out.toString(), err.toString(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    @Test
    void aConfigNoBrokerCouldApplyIsRefusedAtCreation() {
        Result rollCycle = run("topic", "create", "--topic", "t1", "--partitions", "1", "--config", "roll.cycle=NOPE");
        assertThat(rollCycle.code()).isEqualTo(1);
        assertThat(rollCycle.err()).contains("INVALID_CONFIG").contains("roll.cycle=NOPE is invalid")
                .contains("FAST_HOURLY");

        Result segment = run("topic", "create", "--topic", "t2", "--partitions", "1", "--config", "segment.bytes=10");
        assertThat(segment.code()).isEqualTo(1);
        assertThat(segment.err()).contains("INVALID_CONFIG").contains("segment.bytes=10 is invalid");

        Result typo = run("topic", "create", "--topic", "t3", "--partitions", "1", "--config", "retention.msec=5");
        assertThat(typo.code()).isEqualTo(1);
        assertThat(typo.err()).contains("INVALID_CONFIG").contains("'retention.msec'")
                .contains("did you mean 'retention.ms'?");

        Result fine = run("topic", "create", "--topic", "t4", "--partitions", "1", "--config", "roll.cycle=fast_daily");
        assertThat(fine.code()).as(fine.err()).isZero();
        assertThat(cluster.nameserver().routes().topicNames()).containsExactly("t4");
    }

    @Test
    void aTopicCarryingAConfigTheBrokerCannotApplyIsHostedWithItsDefaultAndLoggedOnce() throws Exception {
        try (RegistryClient registry = RegistryClient.connect(new RegistryConfig()
                .connect(cluster.zookeeperAddress()))) {
            registry.topics().create(TopicMetadata.withAssignment("legacy", List.of(List.of(0)),
                    new HashMap<>(Map.of("roll.cycle", "NOPE", "retention.ms", "3600000"))));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> cluster.brokers().get(0).partitions().partitions("legacy") != null);
        // more registry notifications: each used to log an ERROR with a stack trace for "legacy"
        for (int i = 0; i < 3; i++) {
            assertThat(run("topic", "create", "--topic", "other-" + i, "--partitions", "1").code()).isZero();
        }

        Result described = run("topic", "describe", "--topic", "legacy");
        assertThat(described.code()).as(described.err()).isZero();
        assertThat(described.out()).contains("Topic: legacy").containsPattern("(?m)^0 +0 ");
        List<String> aboutLegacy = brokerLog.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("legacy")).toList();
        assertThat(aboutLegacy).hasSize(1);
        assertThat(aboutLegacy.get(0)).contains("roll.cycle=NOPE").contains("its own default");
        assertThat(brokerLog.list).noneMatch(e -> e.getLevel() == Level.ERROR);
        System.out.printf("TopicConfigValidationTest: topic describe of the topic with roll.cycle=NOPE answered in"
                + " %d ms; broker log: %s%n", described.tookMs(), aboutLegacy.get(0));
    }
}
