package io.sluice.remoting;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** At most N lines per key and interval; the suppressed ones are counted on the next line printed. */
class RateLimitedLogTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger("test.rate-limited");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private long nowNs;
    private final RateLimitedLog log = new RateLimitedLog(logger, 3, 1_000, () -> nowNs);

    RateLimitedLogTest() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    private List<String> lines() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void printsAFewLinesPerKeyAndIntervalAndCountsTheRest() {
        for (int i = 0; i < 100; i++) {
            log.warn("a", "failure {}", i);
        }
        log.warn("b", "other {}", 1);
        assertThat(lines()).containsExactly("failure 0", "failure 1", "failure 2", "other 1");

        nowNs += TimeUnit.MILLISECONDS.toNanos(1_000);
        log.warn("a", "failure {}", 100);
        log.warn("a", "failure {}", 101);
        assertThat(lines()).endsWith("failure 100 (97 similar lines suppressed in the last 1 s)", "failure 101");
    }

    @Test
    void aThrowableKeepsItsStackTraceAndTheCountGoesBeforeIt() {
        for (int i = 0; i < 4; i++) {
            log.warn("x", "boom {}", i, new IllegalStateException("bug"));
        }
        nowNs += TimeUnit.SECONDS.toNanos(5);
        log.warn("x", "boom {}", 9, new IllegalStateException("bug"));
        assertThat(lines()).hasSize(4).last().isEqualTo("boom 9 (1 similar lines suppressed in the last 1 s)");
        assertThat(appender.list.get(3).getThrowableProxy().getMessage()).isEqualTo("bug");
    }

    @Test
    void tooManyKeysShareOneWindow() {
        for (int i = 0; i < RateLimitedLog.MAX_KEYS + 100; i++) {
            log.warn("key-" + i, "line {}", i);
        }
        assertThat(lines()).hasSize(RateLimitedLog.MAX_KEYS + 3);
    }
}
