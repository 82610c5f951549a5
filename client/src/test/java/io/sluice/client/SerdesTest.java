package io.sluice.client;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerdesTest {

    @Test
    void valuesRoundTrip() {
        assertThat(Serdes.string().deserialize(Serdes.string().serialize("héllo ✓"))).isEqualTo("héllo ✓");
        for (long v : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x0102030405060708L}) {
            assertThat(Serdes.longs().deserialize(Serdes.longs().serialize(v))).isEqualTo(v);
        }
        for (int v : new int[] {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x01020304}) {
            assertThat(Serdes.integers().deserialize(Serdes.integers().serialize(v))).isEqualTo(v);
        }
        byte[] raw = {1, 2, 3};
        assertThat(Serdes.bytes().deserialize(Serdes.bytes().serialize(raw))).isEqualTo(raw);
    }

    @Test
    void numbersAreBigEndian() {
        assertThat(Serdes.integers().serialize(0x01020304)).containsExactly(1, 2, 3, 4);
        assertThat(Serdes.longs().serialize(0x0102030405060708L)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void nullStaysNull() {
        assertThat(Serdes.string().serialize(null)).isNull();
        assertThat(Serdes.string().deserialize(null)).isNull();
        assertThat(Serdes.longs().serialize(null)).isNull();
        assertThat(Serdes.longs().deserialize(null)).isNull();
        assertThat(Serdes.integers().serialize(null)).isNull();
        assertThat(Serdes.integers().deserialize(null)).isNull();
        assertThat(Serdes.bytes().serialize(null)).isNull();
    }

    @Test
    void wrongLengthIsASerializationError() {
        assertThatThrownBy(() -> Serdes.longs().deserialize(new byte[3])).isInstanceOfSatisfying(
                SluiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SERIALIZATION_ERROR));
        assertThatThrownBy(() -> Serdes.integers().deserialize(new byte[8])).isInstanceOfSatisfying(
                SluiceException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SERIALIZATION_ERROR));
    }
}
