package io.sluice.rpc.internal.serialize;

import io.protostuff.ByteBufferInput;
import io.protostuff.ByteString;
import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Schema;
import io.protostuff.UninitializedMessageException;
import io.protostuff.runtime.RuntimeSchema;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The protostuff input an RPC payload is read through: it follows what each field number means in the schema
 * that reads it ({@link SchemaContexts}) and checks, before protostuff acts on them,
 * <ul>
 *   <li>every class name: through {@link WireTypes} (the allow-list), including protostuff's short collection and
 *       map names, the enum, array component, delegate, class-value and object names, and the JDK views
 *       (Collections.unmodifiableList, ...) that protostuff names by a number;</li>
 *   <li>every length that makes protostuff allocate before it reads the elements: array lengths and runs of
 *       nulls are charged to an element budget of the payload's size plus {@link #NULL_ALLOWANCE} (each element
 *       other than a null takes at least one byte), so a few bytes cannot make it allocate gigabytes; so is the
 *       count of a Collections.nCopies list; array dimensions are 1 to 255.</li>
 * </ul>
 * A refusal is a SluiceException (CLASS_NOT_ALLOWED or MALFORMED_PAYLOAD) naming the type or field and the numbers.
 * Strings and byte arrays need no check here: protostuff compares their length with the bytes that remain.
 *
 * <p>Reads protostuff's format (nested messages as groups). Not thread-safe: one decode.
 */
final class GuardedInput implements Input {
    /** Elements that runs of nulls may add beyond the payload's size, in all, per payload. */
    static final int NULL_ALLOWANCE = 65_536;
    private static final int MAX_DIMENSIONS = 255;

    // what the next readFieldNumber announces
    private static final int EXPECT_NOTHING = 0;
    private static final int EXPECT_NAME = 1;
    private static final int EXPECT_ARRAY_LENGTH_FIELD = 2;
    private static final int EXPECT_DIMENSIONS_FIELD = 3;
    private static final int EXPECT_COLLECTION_KIND = 4;
    private static final int EXPECT_MAP_KIND = 5;
    private static final int EXPECT_COPIES_FIELD = 6;
    // what the next int read is
    private static final int INT_VALUE = 0;
    private static final int INT_ARRAY_LENGTH = 1;
    private static final int INT_SIGNED_ARRAY_LENGTH = 2;
    private static final int INT_NULL_RUN = 3;
    private static final int INT_DIMENSIONS = 4;
    private static final int INT_COPIES = 5;
    /** {@link #lengthOf} for an array named by its component type ({@link #arrayComponent}). */
    private static final Object ARRAY_OF = new Object();

    private final ByteBufferInput in;
    private final ByteBuffer buffer;
    private final WireTypes types;
    private long budget;
    private int expect;
    private WireTypes.Kind nameKind;
    private int afterName;
    private int nextInt;
    /** The last name admitted (kind, as on the wire, as given to protostuff). */
    private WireTypes.Kind admittedKind;
    private String admittedWireName;
    private String admittedName;
    /** The component type of the array whose header is being read (see {@link #ARRAY_OF}). */
    private String arrayComponent;
    /** What the next length belongs to: a description, {@link #ARRAY_OF}, or the schema reading it. */
    private Object lengthOf;

    GuardedInput(ByteBuffer buffer, WireTypes types) {
        this.in = new ByteBufferInput(buffer, true);
        this.buffer = buffer;
        this.types = types;
        this.budget = (long) buffer.remaining() + NULL_ALLOWANCE;
    }

    void checkLastTagWas(int value) throws IOException {
        in.checkLastTagWas(value);
    }

    @Override
    public <T> int readFieldNumber(Schema<T> schema) throws IOException {
        int number = in.readFieldNumber(schema);
        nextInt = INT_VALUE;
        if (expect == EXPECT_NOTHING && number < 64 && (SchemaContexts.significant(schema) & (1L << number)) == 0) {
            return number; // the fast path: a number that means nothing to the guard in this schema
        }
        return onFieldNumber(schema, number);
    }

    private int onFieldNumber(Schema<?> schema, int number) {
        int announced = expect;
        if (announced != EXPECT_NOTHING) {
            expect = EXPECT_NOTHING;
            switch (announced) {
                case EXPECT_ARRAY_LENGTH_FIELD -> {
                    if (number == 3) {
                        nextInt = INT_ARRAY_LENGTH;
                        expect = EXPECT_DIMENSIONS_FIELD;
                    }
                }
                case EXPECT_DIMENSIONS_FIELD -> nextInt = number == 2 ? INT_DIMENSIONS : INT_VALUE;
                case EXPECT_COPIES_FIELD -> {
                    nextInt = number == 1 ? INT_COPIES : INT_VALUE;
                    lengthOf = "Collections.nCopies";
                }
                case EXPECT_COLLECTION_KIND -> onCollectionKind(number);
                case EXPECT_MAP_KIND -> onMapKind(number);
                default -> {
                    // EXPECT_NAME: a field where a name belonged; protostuff fails on it
                }
            }
            if (announced != EXPECT_NAME) {
                return number;
            }
        }
        if (number != 0) {
            onField(SchemaContexts.of(schema), number, schema);
        }
        return number;
    }

    private void onField(int context, int number, Schema<?> schema) {
        switch (context) {
            case SchemaContexts.TYPED -> onTypeId(number);
            case SchemaContexts.ARRAY_BODY -> {
                if (number == 1) {
                    nextInt = INT_SIGNED_ARRAY_LENGTH;
                    lengthOf = schema;
                }
            }
            case SchemaContexts.COLLECTION_BODY -> {
                if (number == 2) {
                    nextInt = INT_NULL_RUN;
                    lengthOf = schema;
                }
            }
            default -> { // PLAIN; POLY_*: fields of a kind, announced on entry (see mergeObject)
            }
        }
    }

    /** protostuff's type ids (RuntimeFieldFactory.ID_*) that a class name follows. */
    private void onTypeId(int number) {
        switch (number) {
            case 15, 17 -> expectName(WireTypes.Kind.ARRAY_COMPONENT, EXPECT_ARRAY_LENGTH_FIELD);
            case 18, 19 -> expectName(WireTypes.Kind.CLASS, EXPECT_NOTHING);
            case 20, 21 -> expectName(WireTypes.Kind.CLASS, EXPECT_DIMENSIONS_FIELD);
            case 22 -> enumContainer("java.util.EnumSet", WireTypes.Kind.COLLECTION);
            case 23 -> enumContainer("java.util.EnumMap", WireTypes.Kind.MAP);
            case 24, 34 -> expectName(WireTypes.Kind.ENUM, EXPECT_NOTHING);
            case 25 -> expectName(WireTypes.Kind.COLLECTION, EXPECT_NOTHING);
            case 26 -> expectName(WireTypes.Kind.MAP, EXPECT_NOTHING);
            case 28 -> expect = EXPECT_COLLECTION_KIND; // after a 0 marker, the kind
            case 29 -> expect = EXPECT_MAP_KIND;
            case 30, 32 -> expectName(WireTypes.Kind.DELEGATE, EXPECT_NOTHING);
            case 35, 52, 127 -> expectName(WireTypes.Kind.OBJECT, EXPECT_NOTHING);
            default -> {
            }
        }
    }

    /** PolymorphicCollectionSchema's kinds: 1-21 views, 22 EnumSet, 25 a named collection, 127 an object. */
    private void onCollectionKind(int number) {
        if (number >= 1 && number <= 21) {
            types.checkView(false, number);
            if (number == 6) { // Collections.nCopies: a count, then the element
                expect = EXPECT_COPIES_FIELD;
            }
            return;
        }
        switch (number) {
            case 22 -> enumContainer("java.util.EnumSet", WireTypes.Kind.COLLECTION);
            case 25 -> expectName(WireTypes.Kind.COLLECTION, EXPECT_NOTHING);
            case 127 -> expectName(WireTypes.Kind.OBJECT, EXPECT_NOTHING);
            default -> {
            }
        }
    }

    /** PolymorphicMapSchema's kinds: 1-8 views, 23 EnumMap, 26 a named map, 127 an object. */
    private void onMapKind(int number) {
        if (number >= 1 && number <= 8) {
            types.checkView(true, number);
            return;
        }
        switch (number) {
            case 23 -> enumContainer("java.util.EnumMap", WireTypes.Kind.MAP);
            case 26 -> expectName(WireTypes.Kind.MAP, EXPECT_NOTHING);
            case 127 -> expectName(WireTypes.Kind.OBJECT, EXPECT_NOTHING);
            default -> {
            }
        }
    }

    private void enumContainer(String container, WireTypes.Kind kind) {
        types.checkImplied(kind, container);
        expectName(WireTypes.Kind.ENUM, EXPECT_NOTHING);
    }

    private void expectName(WireTypes.Kind kind, int after) {
        expect = EXPECT_NAME;
        nameKind = kind;
        afterName = after;
    }

    @Override
    public String readString() throws IOException {
        String value = in.readString();
        if (expect == EXPECT_NAME) {
            expect = afterName;
            if (afterName != EXPECT_NOTHING) {
                arrayComponent = value;
                lengthOf = ARRAY_OF;
            }
            if (nameKind == admittedKind && value.equals(admittedWireName)) {
                return admittedName; // a payload names the same few types again and again
            }
            String name = types.admit(nameKind, value);
            admittedKind = nameKind;
            admittedWireName = value;
            admittedName = name;
            return name;
        }
        return value;
    }

    @Override
    public int readInt32() throws IOException {
        return checked(in.readInt32());
    }

    @Override
    public int readUInt32() throws IOException {
        return checked(in.readUInt32());
    }

    private int checked(int value) {
        int kind = nextInt;
        if (kind != INT_VALUE) {
            nextInt = INT_VALUE;
            switch (kind) {
                case INT_ARRAY_LENGTH -> claim(Integer.toUnsignedLong(value), "elements", lengthOf);
                case INT_SIGNED_ARRAY_LENGTH -> claim(value >= 0 ? value : -(value + 1L), "elements", lengthOf);
                case INT_NULL_RUN -> claim(Integer.toUnsignedLong(value), "nulls in a row", lengthOf);
                case INT_DIMENSIONS -> dimensions(value);
                case INT_COPIES -> claim(Integer.toUnsignedLong(value), "copies", lengthOf);
                default -> {
                }
            }
        }
        return value;
    }

    private void claim(long count, String what, Object of) {
        if (count >= 0 && count <= budget) {
            budget -= count;
            return;
        }
        throw new SluiceException(ErrorCode.MALFORMED_PAYLOAD, describe(of) + " declares " + count
                + " " + what + " with " + buffer.remaining() + " bytes of the payload left (each element takes at "
                + "least one byte; at most " + NULL_ALLOWANCE + " nulls beyond that per payload): refused before "
                + "allocating");
    }

    private void dimensions(int value) {
        if (value < 1 || value > MAX_DIMENSIONS) {
            throw new SluiceException(ErrorCode.MALFORMED_PAYLOAD, describe(lengthOf) + " declares "
                    + Integer.toUnsignedLong(value) + " dimensions; an array has 1 to " + MAX_DIMENSIONS);
        }
    }

    /** "an array of Int32 values", "a collection", "an array of com.acme.Item", for messages. */
    private String describe(Object of) {
        if (of == ARRAY_OF) {
            return "an array of " + arrayComponent;
        }
        if (of instanceof String name) {
            return name;
        }
        if (of instanceof io.protostuff.runtime.ArraySchemas.Base) {
            Class<?> type = of.getClass();
            while (type.getSimpleName().isEmpty()) {
                type = type.getSuperclass(); // protostuff's anonymous variants
            }
            return "an array of " + type.getSimpleName().replace("Array", "") + " values";
        }
        return "a collection";
    }

    @Override
    public <T> T mergeObject(T value, Schema<T> schema) throws IOException {
        if (!SchemaContexts.isDynamicValue(schema)) { // (the most frequent by far: nothing to decide)
            if (schema instanceof RuntimeSchema<T> message && SchemaContexts.isFlat(message)) {
                return in.mergeObject(value, schema); // scalars only: nothing to check, read at full speed
            }
            if (SchemaContexts.isPolymorphicCollection(schema)) {
                expect = EXPECT_COLLECTION_KIND;
            } else if (SchemaContexts.isPolymorphicMap(schema)) {
                expect = EXPECT_MAP_KIND;
            }
        }
        T message = value == null ? schema.newMessage() : value;
        schema.mergeFrom(this, message);
        if (!schema.isInitialized(message)) {
            throw new UninitializedMessageException(message, schema);
        }
        in.checkLastTagWas(0);
        return message;
    }

    @Override
    public <T> void handleUnknownField(int fieldNumber, Schema<T> schema) throws IOException {
        in.handleUnknownField(fieldNumber, schema);
    }

    @Override
    public int readSInt32() throws IOException {
        return in.readSInt32();
    }

    @Override
    public int readFixed32() throws IOException {
        return in.readFixed32();
    }

    @Override
    public int readSFixed32() throws IOException {
        return in.readSFixed32();
    }

    @Override
    public long readInt64() throws IOException {
        return in.readInt64();
    }

    @Override
    public long readUInt64() throws IOException {
        return in.readUInt64();
    }

    @Override
    public long readSInt64() throws IOException {
        return in.readSInt64();
    }

    @Override
    public long readFixed64() throws IOException {
        return in.readFixed64();
    }

    @Override
    public long readSFixed64() throws IOException {
        return in.readSFixed64();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public boolean readBool() throws IOException {
        return in.readBool();
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public ByteString readBytes() throws IOException {
        return in.readBytes();
    }

    @Override
    public void readBytes(ByteBuffer bb) throws IOException {
        in.readBytes(bb);
    }

    @Override
    public byte[] readByteArray() throws IOException {
        return in.readByteArray();
    }

    @Override
    public ByteBuffer readByteBuffer() throws IOException {
        return in.readByteBuffer();
    }

    @Override
    public void transferByteRangeTo(Output output, boolean utf8String, int fieldNumber, boolean repeated)
            throws IOException {
        in.transferByteRangeTo(output, utf8String, fieldNumber, repeated);
    }
}
