package io.sluice.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A record header: a string key and an optional byte value. Immutable once built (the value array is not copied;
 * do not modify it after handing it over).
 *
 * @param key   the header key, not null, at most {@link #MAX_KEY_BYTES} bytes in UTF-8
 * @param value the header value, may be null
 */
public record Header(String key, byte[] value) {
    public Header {
        Objects.requireNonNull(key, "header key");
        if (key.length() > MAX_KEY_BYTES / 3 && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("header key longer than " + MAX_KEY_BYTES + " UTF-8 bytes");
        }
    }

    /** Longest header key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = Short.MAX_VALUE;

    @Override
    public boolean equals(Object o) {
        return o instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Header[" + key + "=" + (value == null ? "null" : value.length + " bytes") + "]";
    }
}
