package io.sluice.broker.log;

import io.sluice.registry.TopicConfigs;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.queue.rollcycles.SparseRollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
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
    void theSharedRollCycleNamesAreExactlyChroniclesAndEachResolves() {
        List<String> chronicle = new ArrayList<>();
        for (RollCycle[] family : new RollCycle[][] {RollCycles.values(), TestRollCycles.values(),
                LargeRollCycles.values(), SparseRollCycles.values()}) {
            for (RollCycle rc : family) {
                chronicle.add(((Enum<?>) rc).name());
            }
        }
        assertThat(TopicConfigs.ROLL_CYCLE_NAMES).containsExactlyInAnyOrderElementsOf(chronicle);
        for (String name : TopicConfigs.ROLL_CYCLE_NAMES) {
            assertThat(LogConfig.defaults().withOverrides(Map.of("roll.cycle", name)).chronicleRollCycle())
                    .extracting(rc -> ((Enum<?>) rc).name()).isEqualTo(name);
        }
    }

    @Test
    void everyLogSettingTheNameserverAcceptsIsAppliedAndEveryOneItRefusesIsRefusedHereToo() {
        Map<String, List<String>> samples = Map.of(
                "segment.bytes", List.of("1024", "1023", "x"), "segment.ms", List.of("1", "0", "1.5"),
                "retention.ms", List.of("-1", "-2", "0", ""), "retention.bytes", List.of("0", "-2", "1e3"),
                "max.message.bytes", List.of("100000", "67108865", "1"), "roll.cycle", List.of("fast_daily", "NOPE"),
                "index.interval.bytes", List.of("0", "-1"));
        for (TopicConfigs.Key<?> key : TopicConfigs.all()) {
            if (!key.log()) {
                continue;
            }
            assertThat(samples).as("samples for %s", key).containsKey(key.name());
            for (String value : samples.get(key.name())) {
                boolean nameserverAccepts = accepts(() -> TopicConfigs.validate(Map.of(key.name(), value)));
                boolean brokerApplies = accepts(() -> LogConfig.defaults().withOverrides(Map.of(key.name(), value)));
                assertThat(brokerApplies).as("%s=%s", key, value).isEqualTo(nameserverAccepts);
            }
        }
    }

    private static boolean accepts(Runnable r) {
        try {
            r.run();
            return true;
        } catch (SluiceException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
            return false;
        }
    }

    @Test
    void applicableOverridesKeepTheDefaultForWhatCannotBeAppliedAndSaySo() {
        List<SluiceException> rejected = new ArrayList<>();
        LogConfig c = LogConfig.defaults().conclude().withApplicableOverrides(Map.of("roll.cycle", "NOPE",
                "retention.ms", "1000", "colour", "blue"), rejected::add);
        assertThat(c.rollCycle()).isEqualTo(LogConfig.ROLL_CYCLE_DEFAULT);
        assertThat(c.retentionMs()).isEqualTo(1000);
        assertThat(rejected).extracting(Throwable::getMessage).anySatisfy(m -> assertThat(m)
                .contains("sluice.log.roll.cycle=NOPE")).anySatisfy(m -> assertThat(m).contains("'colour'"));
    }

    @Test
    void fromPropertiesReadsOnlyLogKeys() {
        LogConfig c = LogConfig.fromProperties(Map.of("sluice.log.retention.bytes", "12345",
                "sluice.broker.id", "3"));
        assertThat(c.retentionBytes()).isEqualTo(12345);
    }
}
