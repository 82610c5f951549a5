package io.sluice.rpc.internal.serialize;

import io.protostuff.Input;
import io.protostuff.Output;
import io.protostuff.Schema;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.io.IOException;

/**
 * The wire schema of a method's arguments (or of its result, a single slot): one protostuff message whose
 * fields follow the declared types, see {@link ValueCodec} for the two field numbers of each slot. Absent
 * slots read back as null (zero for primitives); a value past the last slot (more arguments than the method
 * takes) is refused with INVALID_REQUEST.
 *
 * <p>Immutable and thread-safe.
 */
public final class ValuesSchema implements Schema<Object[]> {
    /** The JVM's limit on a method's parameters. */
    private static final int MAX_SLOTS = 255;

    private final ValueCodec[] codecs;
    private final Schema<PolymorphicValue> polymorphicWrite;
    private final Schema<PolymorphicValue> polymorphicRead;

    ValuesSchema(ValueCodec[] codecs, Schema<PolymorphicValue> polymorphicWrite,
                 Schema<PolymorphicValue> polymorphicRead) {
        this.codecs = codecs;
        this.polymorphicWrite = polymorphicWrite;
        this.polymorphicRead = polymorphicRead;
    }

    public int slots() {
        return codecs.length;
    }

    /** A new value array with each slot at its absent value. */
    public Object[] newValues() {
        Object[] values = new Object[codecs.length];
        for (int i = 0; i < codecs.length; i++) {
            values[i] = codecs[i].absentValue();
        }
        return values;
    }

    @Override
    public void writeTo(Output output, Object[] values) throws IOException {
        int n = Math.min(values.length, codecs.length);
        for (int i = 0; i < n; i++) {
            Object value = values[i];
            if (value != null) {
                codecs[i].write(output, i, value, polymorphicWrite);
            }
        }
    }

    @Override
    public void mergeFrom(Input input, Object[] values) throws IOException {
        for (int number = input.readFieldNumber(this); number != 0; number = input.readFieldNumber(this)) {
            int slot = (number - 1) >> 1;
            if (slot > MAX_SLOTS) {
                throw new SluiceException(ErrorCode.SERIALIZATION_ERROR, "field " + number + " is not a value "
                        + "slot (a method has at most " + MAX_SLOTS + " parameters): the payload is not RPC values");
            }
            if (slot >= codecs.length || slot >= values.length) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "value #" + (slot + 1) + " was sent, but "
                        + (codecs.length == 1 ? "1 value is" : codecs.length + " values are") + " declared: the "
                        + "parameter types name fewer arguments than the payload carries");
            } else if ((number & 1) == 1) {
                values[slot] = codecs[slot].readDeclared(input);
            } else {
                PolymorphicValue holder = input.mergeObject(null, polymorphicRead);
                values[slot] = holder.value;
            }
        }
    }

    @Override
    public String getFieldName(int number) {
        return "v" + number;
    }

    @Override
    public int getFieldNumber(String name) {
        try {
            return name.startsWith("v") ? Integer.parseInt(name.substring(1)) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public boolean isInitialized(Object[] message) {
        return true;
    }

    @Override
    public Object[] newMessage() {
        return newValues();
    }

    @Override
    public String messageName() {
        return "Values";
    }

    @Override
    public String messageFullName() {
        return ValuesSchema.class.getName();
    }

    @Override
    public Class<? super Object[]> typeClass() {
        return Object[].class;
    }
}
