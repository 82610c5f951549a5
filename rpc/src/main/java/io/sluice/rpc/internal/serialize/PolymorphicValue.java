package io.sluice.rpc.internal.serialize;

/**
 * A holder whose one field is declared {@code Object}, so protostuff writes the value with its type id (a
 * compact id for JDK scalars and collections, the class name for anything else). Used for values whose declared
 * type does not fix their class. Not thread-safe (a short-lived carrier).
 */
final class PolymorphicValue {
    Object value;

    PolymorphicValue() {
    }

    PolymorphicValue(Object value) {
        this.value = value;
    }
}
