package io.sluice.client;

/**
 * Turns bytes from the wire back into keys or values. Called on the thread that calls {@link Consumer#poll}; an
 * implementation shared by several consumers must be thread-safe. Null bytes (a null key or value) should give null.
 */
@FunctionalInterface
public interface Deserializer<T> {
    /** The object for {@code data}, or null when {@code data} is null. */
    T deserialize(byte[] data);
}
