package io.sluice.rpc.internal.serialize;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Converts between the generic form of values (scalars, strings, lists and maps, with POJOs as maps of field
 * name to value plus a "class" entry) and declared Java types, for generic invocation: a caller without the
 * service interface sends generic arguments, the provider converts them to the method's parameter types and
 * returns the result in generic form.
 *
 * <p>Conversions are strict: numbers convert only between numeric types and only without loss, strings only
 * to strings, chars, enums and ISO dates. A failure names the path of the offending value. Map keys without a
 * matching field are ignored (like unknown protobuf fields). Stateless and thread-safe.
 */
public final class GenericConverter {
    /** The key naming a POJO's class in its generic (map) form. */
    public static final String CLASS_KEY = "class";
    private static final int MAX_DEPTH = 64;

    private static final ClassValue<Field[]> FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    int mods = f.getModifiers();
                    if (!Modifier.isStatic(mods) && !Modifier.isTransient(mods) && !f.isSynthetic()) {
                        f.setAccessible(true);
                        fields.add(f);
                    }
                }
            }
            return fields.toArray(new Field[0]);
        }
    };

    private GenericConverter() {
    }

    /** Converts a generic value to {@code type}; INVALID_REQUEST naming {@code path} if it cannot. */
    public static Object toDeclared(Object value, Type type, String path) {
        return toDeclared(value, type, path, 0);
    }

    /** The generic form of {@code value}. */
    public static Object toGeneric(Object value) {
        return toGeneric(value, 0);
    }

    private static Object toDeclared(Object value, Type type, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw invalid(path, "nesting deeper than " + MAX_DEPTH);
        }
        Class<?> raw = rawClass(type);
        if (value == null) {
            if (raw.isPrimitive()) {
                throw invalid(path, "null for primitive " + raw.getName());
            }
            return null;
        }
        if (raw == Object.class) {
            return value;   // as Dubbo's generic calls: a map for an Object parameter arrives as that map
        }
        Class<?> boxed = box(raw);
        if (Collection.class.isAssignableFrom(raw)) {
            return toCollection(value, raw, typeArgument(type, 0), path, depth);
        }
        if (Map.class.isAssignableFrom(raw)) {
            return toMap(value, raw, typeArgument(type, 0), typeArgument(type, 1), path, depth);
        }
        if (raw.isArray()) {
            return toArray(value, type, path, depth);
        }
        if (boxed.isInstance(value) && !(value instanceof Map)) {
            return value;
        }
        if (value instanceof Number n && Number.class.isAssignableFrom(boxed)) {
            return toNumber(n, boxed, path);
        }
        if (value instanceof String s) {
            return fromString(s, raw, path);
        }
        if (value instanceof Map<?, ?> map && raw.isRecord()) {
            return toRecord(map, raw, path, depth);
        }
        if (value instanceof Map<?, ?> map && ValueCodec.isPlainPojo(raw)) {
            return toPojo(map, raw, path, depth);
        }
        throw invalid(path, "cannot convert " + value.getClass().getName() + " to " + raw.getName());
    }

    private static Object toCollection(Object value, Class<?> raw, Type element, String path, int depth) {
        Collection<?> source;
        if (value instanceof Collection<?> c) {
            source = c;
        } else if (value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                list.add(Array.get(value, i));
            }
            source = list;
        } else {
            throw invalid(path, "expected a collection for " + raw.getName() + ", got " + value.getClass().getName());
        }
        Collection<Object> target;
        if (SortedSet.class.isAssignableFrom(raw)) {
            target = new TreeSet<>();
        } else if (Set.class.isAssignableFrom(raw)) {
            target = new LinkedHashSet<>();
        } else {
            target = new ArrayList<>(source.size());
        }
        int i = 0;
        for (Object item : source) {
            target.add(toDeclared(item, element, path + "[" + i++ + "]", depth + 1));
        }
        return target;
    }

    private static Object toMap(Object value, Class<?> raw, Type keyType, Type valueType, String path, int depth) {
        if (!(value instanceof Map<?, ?> source)) {
            throw invalid(path, "expected a map for " + raw.getName() + ", got " + value.getClass().getName());
        }
        Map<Object, Object> target = SortedMap.class.isAssignableFrom(raw) ? new TreeMap<>() : new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : source.entrySet()) {
            String at = path + "[" + e.getKey() + "]";
            target.put(toDeclared(e.getKey(), keyType, at, depth + 1),
                    toDeclared(e.getValue(), valueType, at, depth + 1));
        }
        return target;
    }

    private static Object toArray(Object value, Type type, String path, int depth) {
        Class<?> component = rawClass(type).getComponentType();
        Type componentType = type instanceof GenericArrayType g ? g.getGenericComponentType() : component;
        List<?> items;
        if (value instanceof Collection<?> c) {
            items = new ArrayList<>(c);
        } else if (value.getClass().isArray()) {
            if (rawClass(type).isInstance(value)) {
                return value;
            }
            List<Object> list = new ArrayList<>();
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                list.add(Array.get(value, i));
            }
            items = list;
        } else {
            throw invalid(path, "expected an array or list, got " + value.getClass().getName());
        }
        Object array = Array.newInstance(component, items.size());
        for (int i = 0; i < items.size(); i++) {
            Array.set(array, i, toDeclared(items.get(i), componentType, path + "[" + i + "]", depth + 1));
        }
        return array;
    }

    private static Object toNumber(Number n, Class<?> boxed, String path) {
        try {
            BigDecimal exact = n instanceof BigDecimal bd ? bd : n instanceof BigInteger bi ? new BigDecimal(bi)
                    : (n instanceof Double || n instanceof Float) ? BigDecimal.valueOf(n.doubleValue())
                    : BigDecimal.valueOf(n.longValue());
            if (boxed == Integer.class) {
                return exact.intValueExact();
            } else if (boxed == Long.class) {
                return exact.longValueExact();
            } else if (boxed == Short.class) {
                return exact.shortValueExact();
            } else if (boxed == Byte.class) {
                return exact.byteValueExact();
            } else if (boxed == Double.class) {
                return n.doubleValue();
            } else if (boxed == Float.class) {
                return n.floatValue();
            } else if (boxed == BigDecimal.class) {
                return exact;
            } else if (boxed == BigInteger.class) {
                return exact.toBigIntegerExact();
            }
        } catch (ArithmeticException e) {
            throw invalid(path, n + " does not fit in " + boxed.getSimpleName());
        }
        throw invalid(path, "cannot convert a number to " + boxed.getName());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object fromString(String s, Class<?> raw, String path) {
        try {
            if (raw.isEnum()) {
                return Enum.valueOf((Class<? extends Enum>) raw, s);
            }
            if ((raw == char.class || raw == Character.class) && s.length() == 1) {
                return s.charAt(0);
            }
            if (raw == LocalDate.class) {
                return LocalDate.parse(s);
            }
            if (raw == LocalDateTime.class) {
                return LocalDateTime.parse(s);
            }
            if (raw == LocalTime.class) {
                return LocalTime.parse(s);
            }
            if (raw == Instant.class) {
                return Instant.parse(s);
            }
            if (raw == UUID.class) {
                return UUID.fromString(s);
            }
        } catch (RuntimeException e) {
            throw invalid(path, "\"" + s + "\" is not a valid " + raw.getSimpleName() + ": " + e.getMessage());
        }
        throw invalid(path, "cannot convert String \"" + abbreviate(s) + "\" to " + raw.getName());
    }

    /** A record from a map of its components by name (absent ones null, or zero for primitives). */
    private static Object toRecord(Map<?, ?> map, Class<?> raw, String path, int depth) {
        java.lang.reflect.RecordComponent[] components = raw.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            String name = components[i].getName();
            types[i] = components[i].getType();
            Object given = map.get(name);
            values[i] = given == null && types[i].isPrimitive() ? Array.get(Array.newInstance(types[i], 1), 0)
                    : toDeclared(given, components[i].getGenericType(), path + "." + name, depth + 1);
        }
        try {
            Constructor<?> canonical = raw.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return canonical.newInstance(values);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw invalid(path, "the constructor of " + raw.getName() + " refused it: " + e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw invalid(path, "cannot create record " + raw.getName() + ": " + e);
        }
    }

    private static Object toPojo(Map<?, ?> map, Class<?> raw, String path, int depth) {
        Object target;
        try {
            Constructor<?> ctor = raw.getDeclaredConstructor();
            ctor.setAccessible(true);
            target = ctor.newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw invalid(path, raw.getName() + " has no usable no-argument constructor for generic calls");
        }
        for (Field f : FIELDS.get(raw)) {
            if (!map.containsKey(f.getName())) {
                continue;
            }
            Object v = toDeclared(map.get(f.getName()), f.getGenericType(), path + "." + f.getName(), depth + 1);
            try {
                f.set(target, v);
            } catch (IllegalAccessException e) {
                throw invalid(path + "." + f.getName(), "cannot set field: " + e.getMessage());
            }
        }
        return target;
    }

    private static Object toGeneric(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new SluiceException(ErrorCode.SERIALIZATION_ERROR, "value nested deeper than " + MAX_DEPTH
                    + " levels (a cycle?)");
        }
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Character || value instanceof Date || value instanceof Temporal
                || value instanceof UUID || value instanceof byte[]) {
            return value;
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Collection<?> c) {
            List<Object> list = new ArrayList<>(c.size());
            for (Object item : c) {
                list.add(toGeneric(item, depth + 1));
            }
            return list;
        }
        if (value.getClass().isArray()) {
            if (value.getClass().getComponentType().isPrimitive()) {
                return value;
            }
            List<Object> list = new ArrayList<>();
            for (int i = 0, n = Array.getLength(value); i < n; i++) {
                list.add(toGeneric(Array.get(value, i), depth + 1));
            }
            return list;
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                map.put(toGeneric(e.getKey(), depth + 1), toGeneric(e.getValue(), depth + 1));
            }
            return map;
        }
        map.put(CLASS_KEY, value.getClass().getName());
        for (Field f : FIELDS.get(value.getClass())) {
            try {
                map.put(f.getName(), toGeneric(f.get(value), depth + 1));
            } catch (IllegalAccessException e) {
                throw new SluiceException(ErrorCode.SERIALIZATION_ERROR, "cannot read " + f + ": " + e.getMessage());
            }
        }
        return map;
    }

    static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return rawClass(p.getRawType());
        }
        if (type instanceof GenericArrayType g) {
            return Array.newInstance(rawClass(g.getGenericComponentType()), 0).getClass();
        }
        if (type instanceof WildcardType w) {
            return rawClass(w.getUpperBounds()[0]);
        }
        return Object.class;
    }

    private static Type typeArgument(Type type, int index) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            return p.getActualTypeArguments()[index];
        }
        return Object.class;
    }

    private static Class<?> box(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        if (c == int.class) {
            return Integer.class;
        } else if (c == long.class) {
            return Long.class;
        } else if (c == boolean.class) {
            return Boolean.class;
        } else if (c == double.class) {
            return Double.class;
        } else if (c == float.class) {
            return Float.class;
        } else if (c == short.class) {
            return Short.class;
        } else if (c == byte.class) {
            return Byte.class;
        } else if (c == char.class) {
            return Character.class;
        }
        return Void.class;
    }

    /** {@code value} is acceptable as a {@code declared} argument as is (a primitive slot takes its box). */
    public static boolean isAssignable(Class<?> declared, Object value) {
        return value == null ? !declared.isPrimitive() : box(declared).isInstance(value);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static SluiceException invalid(String path, String what) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, "generic call, " + path + ": " + what);
    }
}
