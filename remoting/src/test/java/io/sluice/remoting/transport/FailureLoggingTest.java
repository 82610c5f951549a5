package io.sluice.remoting.transport;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ProduceRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failures a peer can trigger at wire speed (oneway requests that fail, here) log one line each, without a stack
 * trace, rate limited, and are all counted in {@code sluice.transport.errors}: a client cannot fill the disk.
 */
class FailureLoggingTest {
    private final TransportFixture fixture = new TransportFixture();
    private final Logger logger = (Logger) LoggerFactory.getLogger(RequestDispatcher.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    FailureLoggingTest() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void stop() throws Exception {
        logger.detachAppender(appender);
        fixture.close();
    }

    @Test
    void failedOnewayRequestsLogOneLineEachRateLimitedAndAreCounted() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RemotingServer server = fixture.server(new RemotingServer("logging-test", TransportFixture.config(), meters)
                .handle(ApiKey.PRODUCE, (ctx, request, payload) -> {
                    throw new SluiceException(ErrorCode.UNKNOWN_TOPIC, "topic 'nope' does not exist");
                }).start(TransportFixture.HOST, 0));
        Connection connection = fixture.connect(fixture.client(TransportFixture.config()), server);
        for (int i = 0; i < 200; i++) {
            connection.send(ApiKey.PRODUCE, new ProduceRequest(), null).get(5, TimeUnit.SECONDS);
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> meters.find("sluice.transport.errors")
                .tag("code", "UNKNOWN_TOPIC").counters().stream().mapToDouble(c -> c.count()).sum() == 200);
        assertThat(appender.list).as("lines logged for 200 failures").hasSizeBetween(1, 10);
        assertThat(appender.list).allSatisfy(line -> {
            assertThat(line.getThrowableProxy()).as("no stack trace").isNull();
            assertThat(line.getFormattedMessage()).contains("oneway PRODUCE").contains("UNKNOWN_TOPIC")
                    .contains("topic 'nope' does not exist").doesNotContain("\n");
        });
    }
}
