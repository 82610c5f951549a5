package io.sluice.rpc.internal.serialize;

import io.protostuff.CollectionSchema;
import io.protostuff.MapSchema;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a class named on the wire may be used, before protostuff resolves the name: works out the class
 * the name would instantiate and checks it against the {@link AllowList}, or fails with CLASS_NOT_ALLOWED naming
 * that class and what the wire called it.
 *
 * <ul>
 *   <li>protostuff's short collection and map names ({@code "PriorityQueue"}, {@code "Hashtable"}, {@code "List"})
 *       stand for the JDK class they instantiate ({@code java.util.PriorityQueue}, {@code java.util.Hashtable},
 *       {@code java.util.ArrayList}), which must be allowed like any other;</li>
 *   <li>JDK-internal collection classes (the immutable {@code List.of}/{@code Set.of}/{@code Map.of} forms,
 *       {@code Arrays.asList}, key-set and values views: a {@code java.} class with a '$' in its name) cannot be
 *       instantiated from the wire; they are read as the plain copy the writer would have sent (see
 *       {@link WireForms}): ArrayList, LinkedHashSet, TreeSet, LinkedHashMap or TreeMap, and returned renamed;</li>
 *   <li>JDK views that protostuff writes as a number, not a name ({@code Collections.unmodifiableList},
 *       {@code emptyMap}, {@code synchronizedSet}, ...), are checked under their class names
 *       ({@code java.util.Collections$UnmodifiableRandomAccessList});</li>
 *   <li>primitive type names ({@code int}, ...) are always allowed as array component types and class values.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe (the cache of JDK-internal names holds only real JDK collection classes).
 */
final class WireTypes {
    /** What a name on the wire stands for, for messages. */
    enum Kind {
        COLLECTION("collection type"), MAP("map type"), ENUM("enum type"), ARRAY_COMPONENT("array component type"),
        CLASS("class value"), DELEGATE("value type"), OBJECT("object type");

        private final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private static final Map<String, String> COLLECTION_FACTORIES = new HashMap<>();
    private static final Map<String, String> MAP_FACTORIES = new HashMap<>();
    /** protostuff's PolymorphicCollectionSchema ids 1-21: the JDK views it reads by number. */
    private static final String[] COLLECTION_VIEWS = views(null, "EmptySet", "EmptyList", "SingletonSet",
            "SingletonList", "SetFromMap", "CopiesList", "UnmodifiableCollection", "UnmodifiableSet",
            "UnmodifiableSortedSet", "UnmodifiableList", "UnmodifiableRandomAccessList", "SynchronizedCollection",
            "SynchronizedSet", "SynchronizedSortedSet", "SynchronizedList", "SynchronizedRandomAccessList",
            "CheckedCollection", "CheckedSet", "CheckedSortedSet", "CheckedList", "CheckedRandomAccessList");
    /** protostuff's PolymorphicMapSchema ids 1-8. */
    private static final String[] MAP_VIEWS = views(null, "EmptyMap", "SingletonMap", "UnmodifiableMap",
            "UnmodifiableSortedMap", "SynchronizedMap", "SynchronizedSortedMap", "CheckedMap", "CheckedSortedMap");
    private static final Set<String> PRIMITIVES = Set.of("boolean", "byte", "char", "short", "int", "long",
            "float", "double");
    /** JDK-internal collection class name -> the protostuff short name of its plain copy. */
    private static final Map<String, String> JDK_INTERNAL = new ConcurrentHashMap<>();

    static {
        for (CollectionSchema.MessageFactories f : CollectionSchema.MessageFactories.values()) {
            COLLECTION_FACTORIES.put(f.name(), f.typeClass().getName());
        }
        for (MapSchema.MessageFactories f : MapSchema.MessageFactories.values()) {
            MAP_FACTORIES.put(f.name(), f.typeClass().getName());
        }
    }

    private final AllowList allowList;
    /** The short collection (and map) names whose class the allow-list admits: the common case, one lookup. */
    private final Set<String> admittedCollections;
    private final Set<String> admittedMaps;

    WireTypes(AllowList allowList) {
        this.allowList = allowList;
        this.admittedCollections = admitted(COLLECTION_FACTORIES, allowList);
        this.admittedMaps = admitted(MAP_FACTORIES, allowList);
    }

    private static Set<String> admitted(Map<String, String> factories, AllowList allowList) {
        Set<String> admitted = new HashSet<>();
        factories.forEach((name, type) -> {
            if (allowList.allows(type)) {
                admitted.add(name);
            }
        });
        return Set.copyOf(admitted);
    }

    AllowList allowList() {
        return allowList;
    }

    /**
     * The name protostuff should resolve in place of {@code wireName} (itself, or the short name of a plain copy
     * for a JDK-internal collection), after checking that the class it stands for is allowed.
     */
    String admit(Kind kind, String wireName) {
        switch (kind) {
            case COLLECTION:
                return admittedCollections.contains(wireName) ? wireName : admitContainer(false, wireName);
            case MAP:
                return admittedMaps.contains(wireName) ? wireName : admitContainer(true, wireName);
            case ARRAY_COMPONENT:
            case CLASS:
                if (!PRIMITIVES.contains(wireName)) {
                    check(kind, wireName, wireName);
                }
                return wireName;
            default:
                check(kind, wireName, wireName);
                return wireName;
        }
    }

    private String admitContainer(boolean map, String wireName) {
        Kind kind = map ? Kind.MAP : Kind.COLLECTION;
        Map<String, String> factories = map ? MAP_FACTORIES : COLLECTION_FACTORIES;
        String factory = factories.get(wireName);
        if (factory != null) {
            check(kind, factory, wireName);
            return wireName;
        }
        String copy = plainCopyOf(wireName, map);
        if (copy != null) {
            check(kind, factories.get(copy), wireName);
            return copy;
        }
        check(kind, wireName, wireName);
        return wireName;
    }

    /** Checks a container class the wire implies without naming it (EnumSet, EnumMap). */
    void checkImplied(Kind kind, String className) {
        check(kind, className, null);
    }

    /**
     * Checks the JDK view (Collections.unmodifiableList, emptyMap, ...) that protostuff's collection (or map) kind
     * {@code id} stands for; an unknown id fails as a malformed payload.
     */
    void checkView(boolean map, int id) {
        String[] names = map ? MAP_VIEWS : COLLECTION_VIEWS;
        if (id < 1 || id >= names.length) {
            throw new SluiceException(ErrorCode.MALFORMED_PAYLOAD, "protostuff " + (map ? "map" : "collection")
                    + " kind " + id + " does not exist");
        }
        check(map ? Kind.MAP : Kind.COLLECTION, names[id], "view " + id);
    }

    private static String[] views(String... simpleNames) {
        String[] names = new String[simpleNames.length];
        for (int i = 1; i < names.length; i++) {
            names[i] = "java.util.Collections$" + simpleNames[i];
        }
        return names;
    }

    private void check(Kind kind, String className, String wireName) {
        if (allowList.allows(className)) {
            return;
        }
        throw new SluiceException(ErrorCode.CLASS_NOT_ALLOWED, kind.label + " " + className
                + (wireName == null || wireName.equals(className) ? ""
                : wireName.startsWith("view ") ? " (protostuff " + wireName + ")"
                : " (named '" + wireName + "' on the wire)")
                + " is not on the serialization allow-list; add it (or its package) to "
                + "sluice.rpc.serialization.allowed.classes on the receiving side if it is a trusted type");
    }

    /** The short name of the plain copy of a JDK-internal collection class, or null if it is not one. */
    private static String plainCopyOf(String name, boolean map) {
        if (!name.startsWith("java.") || name.indexOf('$') < 0) {
            return null;
        }
        String cached = JDK_INTERNAL.get(name);
        if (cached != null) {
            return cached;
        }
        Class<?> type;
        try {
            type = Class.forName(name, false, null); // the boot loader: JDK classes only, never initialised
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        String copy = null;
        if (map && Map.class.isAssignableFrom(type)) {
            copy = SortedMap.class.isAssignableFrom(type) ? "TreeMap" : "LinkedHashMap";
        } else if (!map && Collection.class.isAssignableFrom(type)) {
            copy = SortedSet.class.isAssignableFrom(type) ? "TreeSet"
                    : Set.class.isAssignableFrom(type) ? "LinkedHashSet" : "ArrayList";
        }
        if (copy != null) {
            JDK_INTERNAL.put(name, copy);
        }
        return copy;
    }
}
