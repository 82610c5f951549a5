package io.sluice.nameserver;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicConfigValidatorTest {
    @Test
    void acceptsKnownKeysWithValidValues() {
        assertThatCode(() -> TopicConfigValidator.validate(Map.of("retention.ms", "-1", "segment.bytes", "1048576",
                "min.insync.replicas", "2", "unclean.leader.election.enable", "false", "roll.cycle", "FAST_HOURLY")))
                .doesNotThrowAnyException();
    }

    @Test
    void namesAnUnknownKey() {
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("retention.msec", "5")))
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    org.assertj.core.api.Assertions.assertThat(e.getMessage()).contains("retention.msec");
                });
    }

    @Test
    void namesABadValue() {
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("segment.bytes", "big")))
                .hasMessageContaining("segment.bytes=big");
        assertThatThrownBy(() -> TopicConfigValidator.validate(Map.of("retention.bytes", "0")))
                .hasMessageContaining("retention.bytes=0");
    }
}
