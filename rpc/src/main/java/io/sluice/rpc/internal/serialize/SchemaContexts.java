package io.sluice.rpc.internal.serialize;

import io.protostuff.CollectionSchema;
import io.protostuff.Schema;
import io.protostuff.WireFormat;
import io.protostuff.runtime.ArraySchemas;
import io.protostuff.runtime.DefaultIdStrategy;
import io.protostuff.runtime.DerivativeSchema;
import io.protostuff.runtime.Field;
import io.protostuff.runtime.IdStrategy;
import io.protostuff.runtime.PolymorphicPojoCollectionSchema;
import io.protostuff.runtime.PolymorphicPojoMapSchema;
import io.protostuff.runtime.PolymorphicSchema;
import io.protostuff.runtime.RuntimeSchema;

import io.protostuff.runtime.Field;

/**
 * What the field numbers that a protostuff schema reads mean, so that {@link GuardedInput} knows which numbers
 * announce a class name or a length. The contexts:
 * <ul>
 *   <li>{@link #TYPED}: a dynamic value (a field declared Object, an abstract type, a Number, a Class, an element
 *       of a polymorphic collection or map): the number is protostuff's type id (collection 25, map 26, enum 24,
 *       array 15, object 127, ...), most of which are followed by a class name;</li>
 *   <li>{@link #ARRAY_BODY}: protostuff's array schemas: field 1 is the array length, 3 a run of nulls;</li>
 *   <li>{@link #COLLECTION_BODY}: the elements of a collection (or of an array of objects): field 2 is a run of
 *       nulls that protostuff adds one by one;</li>
 *   <li>{@link #POLY_COLLECTION} / {@link #POLY_MAP}: a collection or map whose class protostuff writes as a
 *       kind (a JDK view such as Collections.unmodifiableList, ids 1-21 / 1-8; an EnumSet/EnumMap; a named type;
 *       an object): the first number read on entering one is the kind, the later ones fields of that kind;</li>
 *   <li>{@link #PLAIN}: a message (the user's classes, the values of a call): field numbers are just fields.</li>
 * </ul>
 * The schemas protostuff creates inside its id strategy as anonymous classes are recognised by their classes,
 * read once from the fields of a probe strategy (package-private in protostuff 1.8; a version without them fails
 * here, when the serializer is first used, not on a call). A schema's context is computed once per class.
 *
 * <p>Stateless and thread-safe.
 */
final class SchemaContexts {
    static final int PLAIN = 0;
    static final int TYPED = 1;
    static final int ARRAY_BODY = 2;
    static final int COLLECTION_BODY = 3;
    static final int POLY_COLLECTION = 4;
    static final int POLY_MAP = 5;

    private static final Class<?> DYNAMIC_VALUE;
    private static final Class<?> OBJECT;
    private static final Class<?> CLASS_VALUE;
    private static final Class<?> COLLECTION;
    private static final Class<?> ARRAY;
    private static final Class<?> POLYMORPHIC_COLLECTION;
    private static final Class<?> POLYMORPHIC_MAP;
    private static final Class<?> MAP;
    private static final Class<?> ENTRY;
    private static final long[] SIGNIFICANT = new long[6];
    private static final ClassValue<Integer> CONTEXTS = new ClassValue<>() {
        @Override
        protected Integer computeValue(Class<?> type) {
            return classify(type);
        }
    };

    /** A strategy like the serializer's read strategies (same delegates), used only to type a class's fields. */
    private static final DefaultIdStrategy FIELD_TYPES = new DefaultIdStrategy();
    /** Whether a class's runtime schema has only scalar fields (see {@link #isFlat}). */
    private static final ClassValue<Boolean> FLAT = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (!(RuntimeSchema.getSchema(type, FIELD_TYPES) instanceof RuntimeSchema<?> schema)) {
                return false;
            }
            for (Field<?> field : schema.getFields()) {
                if (field.type == WireFormat.FieldType.MESSAGE || field.type == WireFormat.FieldType.GROUP) {
                    return false;
                }
            }
            return true;
        }
    };

    static {
        TimeDelegates.registerAll(FIELD_TYPES);
        IdStrategy probe = new DefaultIdStrategy();
        DYNAMIC_VALUE = schemaClass(probe, "DYNAMIC_VALUE_SCHEMA");
        OBJECT = schemaClass(probe, "OBJECT_SCHEMA");
        CLASS_VALUE = schemaClass(probe, "CLASS_SCHEMA");
        COLLECTION = schemaClass(probe, "COLLECTION_SCHEMA");
        ARRAY = schemaClass(probe, "ARRAY_SCHEMA");
        POLYMORPHIC_COLLECTION = schemaClass(probe, "POLYMORPHIC_COLLECTION_SCHEMA");
        POLYMORPHIC_MAP = schemaClass(probe, "POLYMORPHIC_MAP_SCHEMA");
        MAP = schemaClass(probe, "MAP_SCHEMA");
        ENTRY = schemaClass(probe, "ENTRY_SCHEMA");
        for (int id : new int[] {15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 32, 34, 35, 52}) {
            SIGNIFICANT[TYPED] |= 1L << id;
        }
        SIGNIFICANT[ARRAY_BODY] = 1L << 1;
        SIGNIFICANT[COLLECTION_BODY] = 1L << 2;
    }

    private SchemaContexts() {
    }

    /** Registers a delegate the serializers registered (a record's), so fields of its type are typed as theirs. */
    static void registerDelegate(io.protostuff.runtime.Delegate<?> delegate) {
        FIELD_TYPES.registerDelegate(delegate);
    }

    /**
     * True if every field of {@code schema} is a scalar (numbers, strings, bytes, enums, and repeated ones; no
     * message, no collection or map schema, no array, no Object): such a message can name no class and declare no
     * length but a string's, which protostuff checks, so it is read without the guard. Computed once per class
     * (every read strategy registers the same delegates, so a class's fields have the same wire types in all).
     */
    static boolean isFlat(RuntimeSchema<?> schema) {
        return FLAT.get(schema.typeClass());
    }

    /** True for protostuff's schema of a dynamic value (an element of a polymorphic collection or map). */
    static boolean isDynamicValue(Schema<?> schema) {
        return schema.getClass() == DYNAMIC_VALUE;
    }

    /** True for the schemas whose first field number is a collection kind (see {@link #POLY_COLLECTION}). */
    static boolean isPolymorphicCollection(Schema<?> schema) {
        return schema.getClass() == POLYMORPHIC_COLLECTION || schema instanceof PolymorphicPojoCollectionSchema;
    }

    /** True for the schemas whose first field number is a map kind. */
    static boolean isPolymorphicMap(Schema<?> schema) {
        return schema.getClass() == POLYMORPHIC_MAP || schema instanceof PolymorphicPojoMapSchema;
    }

    /**
     * The field numbers below 64 that mean something to the guard in {@code schema} (a class name or a length
     * follows), as bits: TYPED: protostuff's type ids 15-26, 28-30, 32, 34, 35, 52 (127 is above 64);
     * ARRAY_BODY: 1 (the length); COLLECTION_BODY: 2 (a run of nulls); none in the others. The schemas met most
     * are recognised by their class first, for speed: this runs for every field number of a polymorphic value.
     */
    static long significant(Schema<?> schema) {
        Class<?> type = schema.getClass();
        if (type == DYNAMIC_VALUE) {
            return SIGNIFICANT[TYPED];
        }
        if (type == COLLECTION) {
            return SIGNIFICANT[COLLECTION_BODY];
        }
        if (type == ENTRY || type == MAP || schema instanceof RuntimeSchema) {
            return 0;
        }
        return SIGNIFICANT[CONTEXTS.get(type)];
    }

    static int of(Schema<?> schema) {
        return schema instanceof RuntimeSchema ? PLAIN : CONTEXTS.get(schema.getClass());
    }

    private static int classify(Class<?> type) {
        if (ValuesSchema.class == type) {
            return PLAIN;
        }
        if (ArraySchemas.Base.class.isAssignableFrom(type)) {
            return ARRAY_BODY;
        }
        if (PolymorphicPojoCollectionSchema.class.isAssignableFrom(type) || type == POLYMORPHIC_COLLECTION) {
            return POLY_COLLECTION;
        }
        if (PolymorphicPojoMapSchema.class.isAssignableFrom(type) || type == POLYMORPHIC_MAP) {
            return POLY_MAP;
        }
        if (PolymorphicSchema.class.isAssignableFrom(type) || DerivativeSchema.class.isAssignableFrom(type)
                || type == DYNAMIC_VALUE || type == OBJECT || type == CLASS_VALUE) {
            return TYPED;
        }
        if (CollectionSchema.class.isAssignableFrom(type) || type == COLLECTION || type == ARRAY) {
            return COLLECTION_BODY;
        }
        return PLAIN;
    }

    private static Class<?> schemaClass(IdStrategy strategy, String name) {
        try {
            java.lang.reflect.Field field = IdStrategy.class.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(strategy).getClass();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this protostuff version has no IdStrategy." + name
                    + "; the RPC serializer's wire checks need protostuff 1.8", e);
        }
    }
}
