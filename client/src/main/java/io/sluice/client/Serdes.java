package io.sluice.client;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.nio.charset.StandardCharsets;

/**
 * Serializers and deserializers for common types. Each factory returns a stateless, thread-safe {@link Serde}
 * that can be handed to a producer and a consumer alike. Null maps to null both ways.
 */
public final class Serdes {
    private static final Serde<String> STRING = new Serde<>() {
        @Override
        public byte[] serialize(String data) {
            return data == null ? null : data.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(byte[] data) {
            return data == null ? null : new String(data, StandardCharsets.UTF_8);
        }
    };

    private static final Serde<byte[]> BYTES = new Serde<>() {
        @Override
        public byte[] serialize(byte[] data) {
            return data;
        }

        @Override
        public byte[] deserialize(byte[] data) {
            return data;
        }
    };

    private static final Serde<Long> LONGS = new Serde<>() {
        @Override
        public byte[] serialize(Long data) {
            if (data == null) {
                return null;
            }
            long v = data;
            byte[] out = new byte[8];
            for (int i = 7; i >= 0; i--) {
                out[i] = (byte) v;
                v >>>= 8;
            }
            return out;
        }

        @Override
        public Long deserialize(byte[] data) {
            if (data == null) {
                return null;
            }
            checkLength(data, 8, "long");
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (data[i] & 0xFF);
            }
            return v;
        }
    };

    private static final Serde<Integer> INTEGERS = new Serde<>() {
        @Override
        public byte[] serialize(Integer data) {
            if (data == null) {
                return null;
            }
            int v = data;
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }

        @Override
        public Integer deserialize(byte[] data) {
            if (data == null) {
                return null;
            }
            checkLength(data, 4, "int");
            return ((data[0] & 0xFF) << 24) | ((data[1] & 0xFF) << 16) | ((data[2] & 0xFF) << 8) | (data[3] & 0xFF);
        }
    };

    private Serdes() {
    }

    /** UTF-8 strings. */
    public static Serde<String> string() {
        return STRING;
    }

    /** Byte arrays as they are (not copied). */
    public static Serde<byte[]> bytes() {
        return BYTES;
    }

    /** Longs as 8 big-endian bytes; other lengths fail with {@code SERIALIZATION_ERROR}. */
    public static Serde<Long> longs() {
        return LONGS;
    }

    /** Integers as 4 big-endian bytes; other lengths fail with {@code SERIALIZATION_ERROR}. */
    public static Serde<Integer> integers() {
        return INTEGERS;
    }

    private static void checkLength(byte[] data, int expected, String type) {
        if (data.length != expected) {
            throw new SluiceException(ErrorCode.SERIALIZATION_ERROR,
                    "a " + type + " needs " + expected + " bytes, got " + data.length);
        }
    }

    /** A serializer and deserializer of the same type. */
    public interface Serde<T> extends Serializer<T>, Deserializer<T> {
    }
}
