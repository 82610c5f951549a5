package io.sluice.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.cli.Standalone;
import io.sluice.cli.StandaloneSettings;
import io.sluice.client.Admin;
import io.sluice.client.AdminConfig;
import io.sluice.client.Consumer;
import io.sluice.client.ConsumerConfig;
import io.sluice.client.NewTopic;
import io.sluice.client.Serdes;
import io.sluice.client.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.sluice.client.ConsumerConfig.AutoOffsetReset.EARLIEST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer assigned a partition that does not exist (partition 99 of a 4-partition topic, a topic nobody created)
 * reads nothing from it, as Kafka's does, but says why in its log instead of waiting without a word.
 */
class AssignMissingPartitionTest {
    @TempDir
    Path dir;

    private Standalone standalone;
    private Logger clientLogger;
    private ListAppender<ILoggingEvent> clientLog;

    @BeforeEach
    void start() {
        standalone = Standalone.start(StandaloneSettings.forTests(dir, 1));
        clientLogger = (Logger) LoggerFactory.getLogger("io.sluice.client");
        clientLog = new ListAppender<>();
        clientLog.start();
        clientLogger.addAppender(clientLog);
    }

    @AfterEach
    void stop() {
        if (clientLogger != null) {
            clientLogger.detachAppender(clientLog);
        }
        if (standalone != null) {
            standalone.close();
        }
    }

    private List<String> warnings() {
        synchronized (clientLog) {
            return clientLog.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void aPartitionBeyondTheTopicAndAnUnknownTopicAreNamedInTheLog() {
        try (Admin admin = Admin.create(new AdminConfig().nameservers(standalone.nameservers()))) {
            admin.createTopic(new NewTopic("four", 4, 1));
        }
        try (Consumer<String, String> consumer = Consumer.create(new ConsumerConfig().autoOffsetReset(EARLIEST)
                .nameservers(standalone.nameservers()), Serdes.string(), Serdes.string())) {
            consumer.assign(List.of(new TopicPartition("four", 99), new TopicPartition("ghost", 0)));
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(consumer.poll(Duration.ofMillis(100)).isEmpty()).isTrue();
                assertThat(warnings()).anyMatch(w -> w.contains("Partition four-99 does not exist: topic four has"
                        + " partitions 0..3"));
                assertThat(warnings()).anyMatch(w -> w.contains("Partition ghost-0 does not exist")
                        && w.contains("know no topic ghost"));
            });
        }
    }
}
