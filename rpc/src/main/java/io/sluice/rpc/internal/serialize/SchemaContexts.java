package io.sluice.rpc.internal.serialize;

import io.protostuff.CollectionSchema;
import io.protostuff.Schema;
import io.protostuff.runtime.ArraySchemas;
import io.protostuff.runtime.DerivativeSchema;
import io.protostuff.runtime.IdStrategy;
import io.protostuff.runtime.RuntimeSchema;
import io.protostuff.runtime.PolymorphicPojoCollectionSchema;
import io.protostuff.runtime.PolymorphicPojoMapSchema;
import io.protostuff.runtime.PolymorphicSchema;

import java.lang.reflect.Field;

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
 * The schemas protostuff creates inside its id strategy as anonymous classes are recognised by identity: they are
 * read once from the strategy's fields (package-private in protostuff 1.8; a version without them fails here, at
 * start-up, not on a call).
 *
 * <p>Immutable and thread-safe.
 */
final class SchemaContexts {
    static final int PLAIN = 0;
    static final int TYPED = 1;
    static final int ARRAY_BODY = 2;
    static final int COLLECTION_BODY = 3;
    static final int POLY_COLLECTION = 4;
    static final int POLY_MAP = 5;

    private final Schema<?> dynamicValue;
    private final Schema<?> object;
    private final Schema<?> classValue;
    private final Schema<?> collection;
    private final Schema<?> array;
    private final Schema<?> polymorphicCollection;
    private final Schema<?> polymorphicMap;

    SchemaContexts(IdStrategy strategy) {
        this.dynamicValue = schemaField(strategy, "DYNAMIC_VALUE_SCHEMA");
        this.object = schemaField(strategy, "OBJECT_SCHEMA");
        this.classValue = schemaField(strategy, "CLASS_SCHEMA");
        this.collection = schemaField(strategy, "COLLECTION_SCHEMA");
        this.array = schemaField(strategy, "ARRAY_SCHEMA");
        this.polymorphicCollection = schemaField(strategy, "POLYMORPHIC_COLLECTION_SCHEMA");
        this.polymorphicMap = schemaField(strategy, "POLYMORPHIC_MAP_SCHEMA");
    }

    int of(Schema<?> schema) {
        if (schema instanceof RuntimeSchema || schema instanceof ValuesSchema) {
            return PLAIN;
        }
        if (schema instanceof ArraySchemas.Base) {
            return ARRAY_BODY;
        }
        if (schema instanceof PolymorphicPojoCollectionSchema || schema == polymorphicCollection) {
            return POLY_COLLECTION;
        }
        if (schema instanceof PolymorphicPojoMapSchema || schema == polymorphicMap) {
            return POLY_MAP;
        }
        if (schema instanceof PolymorphicSchema || schema instanceof DerivativeSchema || schema == dynamicValue
                || schema == object || schema == classValue) {
            return TYPED;
        }
        if (schema instanceof CollectionSchema || schema == collection || schema == array) {
            return COLLECTION_BODY;
        }
        return PLAIN;
    }

    private static Schema<?> schemaField(IdStrategy strategy, String name) {
        try {
            Field field = IdStrategy.class.getDeclaredField(name);
            field.setAccessible(true);
            return (Schema<?>) field.get(strategy);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this protostuff version has no IdStrategy." + name
                    + "; the RPC serializer's wire checks need protostuff 1.8", e);
        }
    }
}
