package io.sluice.client;

/**
 * Turns keys or values into bytes for the wire. Called on the thread that calls {@link Producer#send}; an
 * implementation shared by several producers must be thread-safe. A null input should give null.
 */
@FunctionalInterface
public interface Serializer<T> {
    /** The bytes of {@code data}, or null for a null key or value. */
    byte[] serialize(T data);
}
