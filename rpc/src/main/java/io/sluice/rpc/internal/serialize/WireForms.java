package io.sluice.rpc.internal.serialize;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replaces JDK collection views and immutable collections ({@code List.of}, {@code Collections.unmodifiableMap},
 * {@code Arrays.asList}, ...) by plain ArrayList / LinkedHashSet / LinkedHashMap / TreeSet / TreeMap copies
 * before a polymorphic write: their classes cannot be instantiated from the wire and are not on any allow-list.
 * Returns the value itself when nothing needs replacing, so the common case allocates nothing.
 *
 * <p>Stateless and thread-safe.
 */
final class WireForms {
    private static final int MAX_DEPTH = 32;

    private WireForms() {
    }

    static Object portable(Object value) {
        return needsCopy(value, 0) ? copy(value, 0) : value;
    }

    private static boolean needsCopy(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        if (value instanceof Collection<?> c) {
            if (isJdkView(c.getClass())) {
                return true;
            }
            for (Object item : c) {
                if (needsCopy(item, depth + 1)) {
                    return true;
                }
            }
        } else if (value instanceof Map<?, ?> m) {
            if (isJdkView(m.getClass())) {
                return true;
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (needsCopy(e.getKey(), depth + 1) || needsCopy(e.getValue(), depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Object copy(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            return value;
        }
        if (value instanceof Collection<?> c) {
            Collection<Object> target = c instanceof SortedSet<?> ? new TreeSet<>()
                    : c instanceof Set<?> ? new LinkedHashSet<>() : new ArrayList<>(c.size());
            for (Object item : c) {
                target.add(copy(item, depth + 1));
            }
            return target;
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> target = m instanceof SortedMap<?, ?> ? new TreeMap<>() : new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                target.put(copy(e.getKey(), depth + 1), copy(e.getValue(), depth + 1));
            }
            return target;
        }
        return value;
    }

    /** Nested or anonymous JDK collection classes: views, immutables, synchronized wrappers. */
    private static boolean isJdkView(Class<?> type) {
        String name = type.getName();
        return name.startsWith("java.") && name.indexOf('$') > 0;
    }
}
