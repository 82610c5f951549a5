package io.sluice.rpc.internal.serialize;

import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Pipe;
import io.protostuff.WireFormat;
import io.protostuff.runtime.DefaultIdStrategy;
import io.protostuff.runtime.Delegate;
import io.protostuff.runtime.IdStrategy;
import io.protostuff.runtime.RuntimeSchema;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.HashSet;
import java.util.Set;

/**
 * How a Java record travels: as a message of its components, in declaration order (the same slots and forms as a
 * method's arguments, {@link ValuesSchema}), read back through the canonical constructor. Protostuff's runtime
 * schemas cannot carry records: they set final fields through {@code Unsafe}, which refuses record classes. A
 * delegate is registered per record class in the serializer's strategies, so records work as arguments and results,
 * as components of other records, as fields of classes, and as elements of collections, maps and arrays, declared
 * or not ({@link #registerReachable} finds them from a method's generic signature). A record class sent inside an
 * {@code Object} value must also be reachable from a signature on the receiving side (protostuff names it, and
 * only registered delegates are found by name).
 *
 * <p>Thread-safe: the components schema is built once, on first use (records may contain themselves).
 */
final class RecordDelegate<R> implements Delegate<R> {
    private final Class<R> type;
    private final Method[] accessors;
    private final Class<?>[] componentTypes;
    private final Constructor<R> canonical;
    private final IdStrategy writeStrategy;
    private final IdStrategy readStrategy;
    private volatile ValuesSchema schema;

    private RecordDelegate(Class<R> type, IdStrategy writeStrategy, IdStrategy readStrategy) {
        this.type = type;
        this.writeStrategy = writeStrategy;
        this.readStrategy = readStrategy;
        RecordComponent[] components = type.getRecordComponents();
        this.accessors = new Method[components.length];
        this.componentTypes = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            accessors[i] = components[i].getAccessor();
            accessors[i].trySetAccessible();
            componentTypes[i] = components[i].getType();
        }
        try {
            this.canonical = type.getDeclaredConstructor(componentTypes);
        } catch (NoSuchMethodException e) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "record " + type.getName()
                    + " has no canonical constructor", e);
        }
        canonical.trySetAccessible();
    }

    /**
     * Registers a delegate, in both strategies (and in the strategy {@link SchemaContexts} types fields with), for
     * every record class reachable from {@code types}: the records themselves, their components, the fields of
     * classes, type arguments and array components, recursively.
     */
    static void registerReachable(DefaultIdStrategy writeStrategy, DefaultIdStrategy readStrategy, Type... types) {
        Set<Type> seen = new HashSet<>();
        for (Type t : types) {
            walk(t, writeStrategy, readStrategy, seen);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void walk(Type t, DefaultIdStrategy w, DefaultIdStrategy r, Set<Type> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        if (t instanceof ParameterizedType p) {
            walk(p.getRawType(), w, r, seen);
            for (Type arg : p.getActualTypeArguments()) {
                walk(arg, w, r, seen);
            }
        } else if (t instanceof GenericArrayType a) {
            walk(a.getGenericComponentType(), w, r, seen);
        } else if (t instanceof WildcardType wild) {
            for (Type b : wild.getUpperBounds()) {
                walk(b, w, r, seen);
            }
        } else if (t instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                walk(b, w, r, seen);
            }
        } else if (t instanceof Class<?> c) {
            if (c.isArray()) {
                walk(c.getComponentType(), w, r, seen);
            } else if (c.isRecord()) {
                if (!w.isDelegateRegistered(c)) {
                    RecordDelegate delegate = new RecordDelegate(c, w, r);
                    w.registerDelegate(delegate);
                    r.registerDelegate(delegate);
                    SchemaContexts.registerDelegate(delegate);
                }
                for (RecordComponent component : c.getRecordComponents()) {
                    walk(component.getGenericType(), w, r, seen);
                }
            } else if (ValueCodec.isPlainPojo(c)) {
                for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                    for (Field f : k.getDeclaredFields()) {
                        if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers())) {
                            walk(f.getGenericType(), w, r, seen);
                        }
                    }
                }
            }
        }
    }

    /** The components schema (built on first use, from the strategies' codecs and polymorphic schemas). */
    ValuesSchema schema() {
        ValuesSchema s = schema;
        if (s == null) {
            ValueCodec[] codecs = new ValueCodec[componentTypes.length];
            for (int i = 0; i < codecs.length; i++) {
                codecs[i] = ValueCodec.forType(componentTypes[i], writeStrategy, readStrategy);
            }
            s = new ValuesSchema(codecs, RuntimeSchema.getSchema(PolymorphicValue.class, writeStrategy),
                    RuntimeSchema.getSchema(PolymorphicValue.class, readStrategy));
            schema = s;
        }
        return s;
    }

    Class<R> type() {
        return type;
    }

    /** The components of {@code value}, in declaration order. */
    Object[] components(Object value) {
        Object[] values = new Object[accessors.length];
        for (int i = 0; i < accessors.length; i++) {
            try {
                values[i] = accessors[i].invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new SluiceException(ErrorCode.SERIALIZATION_ERROR, "cannot read component "
                        + accessors[i].getName() + " of " + type.getName() + ": " + e, e);
            }
        }
        return values;
    }

    /** A record of {@code values} through its canonical constructor (which may validate them). */
    R create(Object[] values) {
        try {
            return canonical.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new SluiceException(ErrorCode.SERIALIZATION_ERROR, "the constructor of " + type.getName()
                    + " refused the values received: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new SluiceException(ErrorCode.SERIALIZATION_ERROR, "cannot create a " + type.getName() + ": " + e,
                    e);
        }
    }

    @Override
    public WireFormat.FieldType getFieldType() {
        return WireFormat.FieldType.MESSAGE;
    }

    @Override
    public R readFrom(Input input) throws IOException {
        return create(input.mergeObject(null, schema()));
    }

    @Override
    public void writeTo(Output output, int number, R value, boolean repeated) throws IOException {
        output.writeObject(number, components(value), schema(), repeated);
    }

    @Override
    public void transfer(Pipe pipe, Input input, Output output, int number, boolean repeated) {
        throw new UnsupportedOperationException("records are not piped");
    }

    @Override
    public Class<?> typeClass() {
        return type;
    }
}
