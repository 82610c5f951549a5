package io.sluice.remoting.config;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys are read from their declarations; unknown ones are refused, with the nearest known key when it is near. */
class KnownKeysTest {
    @SuppressWarnings("unused")
    static final class Declarations {
        public static final String PORT = "sluice.demo.port";
        static final String RETENTION_MS = "sluice.demo.retention.ms";
        public static final String PREFIX = "sluice.demo.";      // a prefix, not a key
        public static final String OTHER = "not.a.sluice.key";
        public final String instance = "sluice.demo.instance";   // not static: not a declaration
    }

    private static final KnownKeys KEYS = KnownKeys.declaredIn(Declarations.class);

    @Test
    void readsTheStaticStringConstantsThatAreKeys() {
        assertThat(KEYS.keys()).containsExactly("sluice.demo.port", "sluice.demo.retention.ms");
    }

    @Test
    void refusesAnUnknownKeyNamingItsOriginAndTheClosestKnownOne() {
        KEYS.check(ConfigSource.fromMap(Map.of("sluice.demo.port", "1", "other.tool.key", "x"), "test.yaml"));
        assertThatThrownBy(() -> KEYS.check(ConfigSource.fromMap(Map.of("sluice.demo.prot", "1"), "test.yaml")))
                .isInstanceOfSatisfying(SluiceException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageStartingWith("unknown setting 'sluice.demo.prot' (from test.yaml): did you mean "
                        + "'sluice.demo.port'?");
        assertThatThrownBy(() -> KEYS.check(ConfigSource.fromMap(Map.of("sluice.demo.completely.else", "1"),
                "overrides")))
                .hasMessageStartingWith("unknown setting 'sluice.demo.completely.else' (from overrides); every");
    }

    @Test
    void closenessIsAnEditDistanceBoundedByTheKeysLastPart() {
        assertThat(KnownKeys.distance("port", "prot", 10)).isEqualTo(2);
        assertThat(KnownKeys.distance("retention.ms", "retention.msx", 10)).isEqualTo(1);
        assertThat(KnownKeys.distance("abc", "abcdefgh", 2)).isGreaterThan(2);
        assertThat(KEYS.closest("sluice.demo.retention.msx")).isEqualTo("sluice.demo.retention.ms");
        assertThat(KEYS.closest("sluice.demo.zzzz")).isNull();
    }
}
