package io.sluice.nameserver;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicConfigValidatorTest {
    @Test
    void acceptsKnownKeysWithValidValues() {
        assertThatCode(() -> TopicConfigValidator.validate(Map.of("retention.ms", "-1", "segment.bytes", "1048576",
                "min.insync.replicas", "2", "unclean.leader.election.enable", "false", "roll.cycle", "fast_daily",
                "retention.bytes", "0"), 3)).doesNotThrowAnyException();
    }

    @Test
    void namesAnUnknownKeyAndTheClosestKnownOne() {
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("retention.msec", "5"), 1))
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("unknown topic config 'retention.msec'")
                            .contains("did you mean 'retention.ms'?");
                });
    }

    @Test
    void refusesWhatNoBrokerCouldApply() {
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("roll.cycle", "NOPE"), 1))
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("roll.cycle=NOPE is invalid").contains("FAST_HOURLY");
                });
        // the broker's floor, which a "positive integer" check let through
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("segment.bytes", "10"), 1))
                .hasMessageContaining("segment.bytes=10 is invalid: must be an integer of at least 1024");
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("max.message.bytes", "999999999"), 1))
                .hasMessageContaining("max.message.bytes=999999999");
    }

    @Test
    void namesABadValue() {
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("segment.bytes", "big"), 1))
                .hasMessageContaining("segment.bytes=big");
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("retention.bytes", "-2"), 1))
                .hasMessageContaining("retention.bytes=-2");
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("min.insync.replicas", "3"), 2))
                .hasMessageContaining("larger than the replication factor 2");
    }
}
