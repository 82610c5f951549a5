package io.sluice.rpc.internal.serialize;

import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Schema;
import io.protostuff.runtime.DefaultIdStrategy;
import io.protostuff.runtime.IdStrategy;
import io.protostuff.runtime.RuntimeSchema;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Map;

/**
 * How the value of one declared slot (an argument or a result) travels. A slot has two field numbers in the
 * enclosing {@link ValuesSchema}: {@code 2*slot+1} carries the <em>declared form</em> (a scalar written as such, or
 * a POJO of exactly the declared class written with that class's schema: no class name on the wire), and
 * {@code 2*slot+2} the <em>polymorphic form</em> (the value inside a {@link PolymorphicValue}, whose class protostuff
 * names on the wire and the reader checks against the allow-list). The reader accepts either form, so a generic
 * caller that knows no declared types can send polymorphic values to any method.
 *
 * <p>Immutable and thread-safe.
 */
abstract class ValueCodec {
    /** Writes a non-null value of this slot. */
    abstract void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException;

    /** Reads the declared form of this slot. */
    abstract Object readDeclared(Input in) throws IOException;

    /** The value of an absent slot: zero for primitives, else null. */
    Object absentValue() {
        return null;
    }

    static int declaredField(int slot) {
        return 2 * slot + 1;
    }

    static int polymorphicField(int slot) {
        return 2 * slot + 2;
    }

    static void writePolymorphic(Output out, int slot, Object value, Schema<PolymorphicValue> schema)
            throws IOException {
        out.writeObject(polymorphicField(slot), new PolymorphicValue(WireForms.portable(value)), schema, false);
    }

    /** The codec for a slot declared as {@code type}; null type (unknown, e.g. generic calls) is polymorphic. */
    static ValueCodec forType(Class<?> type, IdStrategy writeStrategy, IdStrategy readStrategy) {
        if (type == null || type == Object.class) {
            return Polymorphic.INSTANCE;
        }
        if (type == int.class || type == Integer.class) {
            return new Int32(type == int.class ? 0 : null);
        }
        if (type == long.class || type == Long.class) {
            return new Int64(type == long.class ? 0L : null);
        }
        if (type == boolean.class || type == Boolean.class) {
            return new Bool(type == boolean.class ? Boolean.FALSE : null);
        }
        if (type == double.class || type == Double.class) {
            return new Float64(type == double.class ? 0d : null);
        }
        if (type == String.class) {
            return Text.INSTANCE;
        }
        if (type == byte[].class) {
            return Bytes.INSTANCE;
        }
        if (type.isPrimitive()) {
            return new PrimitiveDefault(primitiveZero(type));
        }
        if (type.isRecord()) {
            if (writeStrategy instanceof DefaultIdStrategy w && readStrategy instanceof DefaultIdStrategy r) {
                RecordDelegate.registerReachable(w, r, type);
            }
            if (writeStrategy.getDelegate(type) instanceof RecordDelegate<?> record) {
                return new RecordSlot(record);
            }
        }
        if (isPlainPojo(type)) {
            return pojo(type, writeStrategy, readStrategy);
        }
        return Polymorphic.INSTANCE;
    }

    private static <T> ValueCodec pojo(Class<T> type, IdStrategy writeStrategy, IdStrategy readStrategy) {
        return new Pojo<>(type, RuntimeSchema.getSchema(type, writeStrategy),
                RuntimeSchema.getSchema(type, readStrategy));
    }

    static boolean isPlainPojo(Class<?> type) {
        int mods = type.getModifiers();
        return !type.isInterface() && !Modifier.isAbstract(mods) && !type.isArray() && !type.isEnum()
                && !type.isPrimitive() && !type.isAnonymousClass() && !type.getName().startsWith("java.")
                && !Collection.class.isAssignableFrom(type) && !Map.class.isAssignableFrom(type)
                && !Throwable.class.isAssignableFrom(type);
    }

    private static Object primitiveZero(Class<?> type) {
        if (type == short.class) {
            return (short) 0;
        }
        if (type == byte.class) {
            return (byte) 0;
        }
        if (type == char.class) {
            return (char) 0;
        }
        if (type == float.class) {
            return 0f;
        }
        return null; // void
    }

    /** Anything: always the polymorphic form. */
    static final class Polymorphic extends ValueCodec {
        static final Polymorphic INSTANCE = new Polymorphic();

        @Override
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            writePolymorphic(out, slot, value, polymorphic);
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            throw new IOException("a declared-form value came for a slot of unknown type");
        }
    }

    /** Primitives without a fast path (short, byte, char, float): polymorphic, with a zero when absent. */
    private static final class PrimitiveDefault extends ValueCodec {
        private final Object zero;

        PrimitiveDefault(Object zero) {
            this.zero = zero;
        }

        @Override
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            writePolymorphic(out, slot, value, polymorphic);
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            throw new IOException("a declared-form value came for a slot without one");
        }

        @Override
        Object absentValue() {
            return zero;
        }
    }

    private static final class Int32 extends ValueCodec {
        private final Object absent;

        Int32(Object absent) {
            this.absent = absent;
        }

        @Override
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            if (value instanceof Integer i) {
                out.writeSInt32(declaredField(slot), i, false);
            } else {
                writePolymorphic(out, slot, value, polymorphic);
            }
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            return in.readSInt32();
        }

        @Override
        Object absentValue() {
            return absent;
        }
    }

    private static final class Int64 extends ValueCodec {
        private final Object absent;

        Int64(Object absent) {
            this.absent = absent;
        }

        @Override
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            if (value instanceof Long l) {
                out.writeSInt64(declaredField(slot), l, false);
            } else {
                writePolymorphic(out, slot, value, polymorphic);
            }
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            return in.readSInt64();
        }

        @Override
        Object absentValue() {
            return absent;
        }
    }

    private static final class Bool extends ValueCodec {
        private final Object absent;

        Bool(Object absent) {
            this.absent = absent;
        }

        @Override
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            if (value instanceof Boolean b) {
                out.writeBool(declaredField(slot), b, false);
            } else {
                writePolymorphic(out, slot, value, polymorphic);
            }
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            return in.readBool();
        }

        @Override
        Object absentValue() {
            return absent;
        }
    }

    private static final class Float64 extends ValueCodec {
        private final Object absent;

        Float64(Object absent) {
            this.absent = absent;
        }

        @Override
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            if (value instanceof Double d) {
                out.writeDouble(declaredField(slot), d, false);
            } else {
                writePolymorphic(out, slot, value, polymorphic);
            }
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            return in.readDouble();
        }

        @Override
        Object absentValue() {
            return absent;
        }
    }

    private static final class Text extends ValueCodec {
        static final Text INSTANCE = new Text();

        @Override
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            if (value instanceof String s) {
                out.writeString(declaredField(slot), s, false);
            } else {
                writePolymorphic(out, slot, value, polymorphic);
            }
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            return in.readString();
        }
    }

    private static final class Bytes extends ValueCodec {
        static final Bytes INSTANCE = new Bytes();

        @Override
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            if (value instanceof byte[] b) {
                out.writeByteArray(declaredField(slot), b, false);
            } else {
                writePolymorphic(out, slot, value, polymorphic);
            }
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            return in.readByteArray();
        }
    }

    /** A record declared as such: its components message in the declared form, else polymorphic. */
    private static final class RecordSlot extends ValueCodec {
        private final RecordDelegate<?> record;

        RecordSlot(RecordDelegate<?> record) {
            this.record = record;
        }

        @Override
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            if (value.getClass() == record.type()) {
                out.writeObject(declaredField(slot), record.components(value), record.schema(), false);
            } else {
                writePolymorphic(out, slot, value, polymorphic);
            }
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            return record.create(in.mergeObject(null, record.schema()));
        }
    }

    private static final class Pojo<T> extends ValueCodec {
        private final Class<?> type;
        private final Schema<T> writeSchema;
        private final Schema<T> readSchema;

        Pojo(Class<?> type, Schema<T> writeSchema, Schema<T> readSchema) {
            this.type = type;
            this.writeSchema = writeSchema;
            this.readSchema = readSchema;
        }

        @Override
        @SuppressWarnings("unchecked")
        void write(Output out, int slot, Object value, Schema<PolymorphicValue> polymorphic) throws IOException {
            if (value.getClass() == type) {
                out.writeObject(declaredField(slot), (T) value, writeSchema, false);
            } else {
                writePolymorphic(out, slot, value, polymorphic);
            }
        }

        @Override
        Object readDeclared(Input in) throws IOException {
            return in.mergeObject(null, readSchema);
        }
    }
}
