package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {
    @Test
    void everyKeyIsDeclaredOnceWithAValidDefault() {
        assertThat(TopicConfigs.all()).extracting(TopicConfigs.Key::name).doesNotHaveDuplicates().contains(
                "segment.bytes", "segment.ms", "retention.ms", "retention.bytes", "max.message.bytes", "roll.cycle",
                "index.interval.bytes", "min.insync.replicas", "unclean.leader.election.enable");
        for (TopicConfigs.Key<?> key : TopicConfigs.all()) {
            assertThat(key.parse(String.valueOf(key.defaultValue()))).as("default of %s", key)
                    .isEqualTo(key.defaultValue());
        }
        assertThat(TopicConfigs.all()).filteredOn(k -> !k.log()).extracting(TopicConfigs.Key::name)
                .containsExactlyInAnyOrder("min.insync.replicas", "unclean.leader.election.enable");
    }

    @Test
    void valuesAreTrimmedAndNamesCanonical() {
        assertThat(TopicConfigs.ROLL_CYCLE.parse(" fast_daily ")).isEqualTo("FAST_DAILY");
        assertThat(TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE.parse("TRUE")).isTrue();
        assertThat(TopicConfigs.RETENTION_MS.parse("-1")).isEqualTo(-1L);
    }

    @Test
    void anUnknownKeyIsNamedWithTheClosestKnownOne() {
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("min.insync.replica", "2")))
                .isInstanceOfSatisfying(SluiceException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG);
                    assertThat(e.getMessage()).contains("'min.insync.replica'")
                            .contains("did you mean 'min.insync.replicas'?");
                });
        assertThat(TopicConfigs.closest("colour")).isNull();
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("colour", "blue")))
                .hasMessageNotContaining("did you mean").hasMessageContaining("known: segment.bytes");
    }

    @Test
    void aBadValueNamesKeyValueAndRule() {
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("unclean.leader.election.enable", "yes")))
                .hasMessageContaining("unclean.leader.election.enable=yes is invalid: must be true or false");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("min.insync.replicas", "0")))
                .hasMessageContaining("min.insync.replicas=0 is invalid: must be an integer of at least 1");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("retention.ms", "99999999999999999999")))
                .hasMessageContaining("retention.ms=99999999999999999999 is invalid");
    }
}
