package io.sluice.broker.log;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogConfigTest {
    @Test
    void defaultsAreConcludedAndUseful() {
        LogConfig c = LogConfig.defaults().conclude();
        assertThat(c.segmentBytes()).isEqualTo(1L << 30);
        assertThat(c.segmentMs()).isEqualTo(7L * 24 * 3600 * 1000);
        assertThat(c.retentionMs()).isEqualTo(7L * 24 * 3600 * 1000);
        assertThat(c.retentionBytes()).isEqualTo(-1);
        assertThat(c.maxMessageBytes()).isEqualTo((1 << 20) + 1024);
        assertThat(c.indexIntervalBytes()).isEqualTo(4096);
        assertThat(c.retentionCheckIntervalMs()).isEqualTo(60_000);
        assertThat(c.chronicleRollCycle()).isEqualTo(RollCycles.FAST_HOURLY);
        assertThat(c.chronicleBlockSize()).isGreaterThanOrEqualTo(4L * c.maxMessageBytes());
    }

    @Test
    void topicOverridesUseShortOrFullKeysAndLeaveTheDefaultsAlone() {
        LogConfig defaults = LogConfig.defaults().conclude();
        LogConfig topic = defaults.withOverrides(Map.of("retention.ms", "-1", "sluice.log.segment.bytes", "2048",
                "roll.cycle", "test_secondly", "max.message.bytes", "100000"));
        assertThat(topic.retentionMs()).isEqualTo(-1);
        assertThat(topic.segmentBytes()).isEqualTo(2048);
        assertThat(topic.chronicleRollCycle()).isEqualTo(TestRollCycles.TEST_SECONDLY);
        assertThat(topic.maxMessageBytes()).isEqualTo(100_000);
        assertThat(defaults.retentionMs()).isEqualTo(LogConfig.RETENTION_MS_DEFAULT);
        assertThat(defaults.segmentBytes()).isEqualTo(LogConfig.SEGMENT_BYTES_DEFAULT);
    }

    @Test
    void badKeysAndValuesNameTheKeyAndValue() {
        LogConfig d = LogConfig.defaults();
        assertThatThrownBy(() -> d.withOverrides(Map.of("retention.hours", "5")))
                .isInstanceOf(SluiceException.class).hasMessageContaining("retention.hours").hasMessageContaining("5")
                .extracting(e -> ((SluiceException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG);
        assertThatThrownBy(() -> d.withOverrides(Map.of("retention.ms", "soon")))
                .hasMessageContaining("sluice.log.retention.ms=soon");
        assertThatThrownBy(() -> d.withOverrides(Map.of("segment.bytes", "10")))
                .hasMessageContaining("sluice.log.segment.bytes=10");
        assertThatThrownBy(() -> d.withOverrides(Map.of("roll.cycle", "YEARLY")))
                .hasMessageContaining("sluice.log.roll.cycle=YEARLY");
        assertThatThrownBy(() -> d.withOverrides(Map.of("max.message.bytes", "999999999")))
                .hasMessageContaining("sluice.log.max.message.bytes=999999999");
        assertThatThrownBy(() -> LogConfig.defaults().retentionBytes(-5).conclude())
                .hasMessageContaining("sluice.log.retention.bytes=-5");
    }

    @Test
    void fromPropertiesReadsOnlyLogKeys() {
        LogConfig c = LogConfig.fromProperties(Map.of("sluice.log.retention.bytes", "12345",
                "sluice.broker.id", "3"));
        assertThat(c.retentionBytes()).isEqualTo(12345);
    }
}
