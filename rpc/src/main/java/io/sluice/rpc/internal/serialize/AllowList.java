package io.sluice.rpc.internal.serialize;

import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The classes that may be instantiated from a name (or a protostuff id) read off the wire. An entry is either an
 * exact binary class name ({@code java.util.HashMap}) or a package prefix ending in '.' or ".*"
 * ({@code com.acme.model.}), which admits that package and its sub-packages.
 *
 * <p>The defaults admit the JDK value types the serializer can write (boxed primitives, String, BigDecimal,
 * BigInteger, Date, UUID, Locale, the java.time types it has delegates for) and the collections an interface
 * commonly declares: ArrayList, LinkedList, ArrayDeque, HashSet, LinkedHashSet, TreeSet, HashMap, LinkedHashMap,
 * TreeMap, EnumSet, EnumMap, ConcurrentHashMap, ConcurrentSkipListMap/Set, CopyOnWriteArrayList, and the immutable
 * forms: Collections.empty*, singleton*, unmodifiable* and nCopies ({@code List.of}, {@code Set.of},
 * {@code Map.of} and {@code Arrays.asList} are read as plain copies, see {@link WireTypes}). Nothing else: not
 * PriorityQueue, Hashtable, Properties, WeakHashMap, IdentityHashMap, Vector, Stack, the blocking and
 * concurrent queues, the synchronized or checked views, and no other JDK class (no gadget such as a TemplatesImpl
 * or a proxy). An entry names the class that would be instantiated, whatever short name protostuff gave it on
 * the wire ("PriorityQueue", "BlockingQueue" -&gt; java.util.concurrent.LinkedBlockingQueue). The packages of
 * exported or stubbed service interfaces are added by their owners.
 *
 * <p>Immutable and thread-safe.
 */
public final class AllowList {
    private static final String VIEWS = "java.util.Collections$";
    private static final List<String> DEFAULTS = List.of(
            "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Character", "java.lang.Short",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Number",
            "java.lang.Object",
            "java.math.BigDecimal", "java.math.BigInteger",
            "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap",
            "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet", "java.util.EnumSet",
            "java.util.EnumMap",
            "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.CopyOnWriteArrayList",
            "java.util.concurrent.ConcurrentSkipListMap", "java.util.concurrent.ConcurrentSkipListSet",
            VIEWS + "EmptyList", VIEWS + "EmptySet", VIEWS + "EmptyMap", VIEWS + "SingletonList",
            VIEWS + "SingletonSet", VIEWS + "SingletonMap", VIEWS + "CopiesList",
            VIEWS + "UnmodifiableCollection", VIEWS + "UnmodifiableList", VIEWS + "UnmodifiableRandomAccessList",
            VIEWS + "UnmodifiableSet", VIEWS + "UnmodifiableSortedSet", VIEWS + "UnmodifiableMap",
            VIEWS + "UnmodifiableSortedMap",
            "java.util.Date", "java.util.UUID", "java.util.Locale",
            "java.time.LocalDate", "java.time.LocalDateTime", "java.time.LocalTime", "java.time.Instant",
            "java.time.Duration");

    private final Set<String> exact;
    private final String[] prefixes;

    private AllowList(Set<String> exact, String[] prefixes) {
        this.exact = exact;
        this.prefixes = prefixes;
    }

    /** The JDK defaults only. */
    public static AllowList defaults() {
        return new AllowList(Set.copyOf(DEFAULTS), new String[0]);
    }

    /** This list plus {@code entries} (exact names or prefixes ending in '.' or ".*"). */
    public AllowList with(Collection<String> entries) {
        Set<String> names = new HashSet<>(exact);
        List<String> pre = new ArrayList<>(List.of(prefixes));
        for (String raw : entries) {
            String entry = raw == null ? "" : raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.endsWith(".*")) {
                entry = entry.substring(0, entry.length() - 1);
            }
            if (entry.endsWith(".")) {
                if (entry.length() < 3 || entry.equals("java.") || entry.equals("javax.") || entry.equals("sun.")
                        || entry.equals("com.sun.") || entry.equals("jdk.")) {
                    throw new SluiceException(ErrorCode.INVALID_CONFIG, "allow-list prefix '" + raw
                            + "' is too broad: name a package of your own model classes");
                }
                if (!pre.contains(entry)) {
                    pre.add(entry);
                }
            } else {
                names.add(entry);
            }
        }
        return new AllowList(Set.copyOf(names), pre.toArray(new String[0]));
    }

    /** The package prefix of {@code type} (e.g. "com.acme.api."), or null for the default package and JDK types. */
    public static String packagePrefixOf(Class<?> type) {
        Class<?> t = type;
        while (t.isArray()) {
            t = t.getComponentType();
        }
        if (t.isPrimitive()) {
            return null;
        }
        String pkg = t.getPackageName();
        if (pkg.isEmpty() || pkg.startsWith("java.") || pkg.startsWith("javax.") || pkg.startsWith("jdk.")
                || pkg.startsWith("sun.") || pkg.startsWith("com.sun.")) {
            return null;
        }
        return pkg + ".";
    }

    /**
     * The package prefixes of an interface and of every type in its methods' signatures (type arguments
     * included): the model classes a service's callers and providers exchange.
     */
    public static Set<String> packagesOf(Class<?> serviceInterface) {
        Set<String> out = new java.util.TreeSet<>();
        addPackage(serviceInterface, out);
        for (java.lang.reflect.Method m : serviceInterface.getMethods()) {
            addTypes(m.getGenericReturnType(), out, 0);
            for (java.lang.reflect.Type t : m.getGenericParameterTypes()) {
                addTypes(t, out, 0);
            }
        }
        return out;
    }

    private static void addTypes(java.lang.reflect.Type type, Set<String> out, int depth) {
        if (depth > 8) {
            return;
        }
        if (type instanceof Class<?> c) {
            addPackage(c, out);
        } else if (type instanceof java.lang.reflect.ParameterizedType p) {
            addTypes(p.getRawType(), out, depth + 1);
            for (java.lang.reflect.Type arg : p.getActualTypeArguments()) {
                addTypes(arg, out, depth + 1);
            }
        } else if (type instanceof java.lang.reflect.GenericArrayType g) {
            addTypes(g.getGenericComponentType(), out, depth + 1);
        } else if (type instanceof java.lang.reflect.WildcardType w) {
            for (java.lang.reflect.Type bound : w.getUpperBounds()) {
                addTypes(bound, out, depth + 1);
            }
        }
    }

    private static void addPackage(Class<?> type, Set<String> out) {
        String prefix = packagePrefixOf(type);
        if (prefix != null) {
            out.add(prefix);
        }
    }

    public boolean allows(String className) {
        if (className == null) {
            return false;
        }
        if (exact.contains(className)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Throws CLASS_NOT_ALLOWED unless {@code className} is allowed. */
    public void check(String className) {
        if (!allows(className)) {
            throw new SluiceException(ErrorCode.CLASS_NOT_ALLOWED, "class " + className
                    + " is not on the serialization allow-list; add it (or its package) to "
                    + "sluice.rpc.serialization.allowed.classes on the receiving side if it is a trusted model class");
        }
    }

    @Override
    public String toString() {
        return "AllowList{" + exact.size() + " classes, prefixes=" + List.of(prefixes) + "}";
    }
}
