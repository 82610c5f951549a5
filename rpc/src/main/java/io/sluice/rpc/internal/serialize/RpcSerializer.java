package io.sluice.rpc.internal.serialize;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.protostuff.LinkedBuffer;
import io.protostuff.ProtostuffIOUtil;
import io.protostuff.Schema;
import io.protostuff.runtime.DefaultIdStrategy;
import io.protostuff.runtime.RuntimeSchema;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.Collection;

/**
 * Protostuff serialization of RPC arguments and results into frame payloads, with an allow-list of the classes
 * a payload may name and a payload size limit.
 *
 * <p>Reads and writes use two separate protostuff id strategies. Every read goes through a {@link GuardedInput},
 * which checks each class the payload names (and each JDK collection it makes protostuff instantiate) against the
 * allow-list, and each length against the bytes that remain, before protostuff acts on it. Values of a type
 * declared by the method travel without a name (their schemas come from the local signature). As a second line,
 * reading installs an {@link AllowListClassLoader} as the thread's context loader for the duration of the read.
 *
 * <p>Thread-safe: the allow-list is replaced copy-on-write, encode buffers are per thread.
 */
public final class RpcSerializer {
    private static final ThreadLocal<LinkedBuffer> BUFFERS = ThreadLocal.withInitial(() -> LinkedBuffer.allocate(512));

    static {
        // protostuff's schemas of the JDK views resolve java.util class names through the thread's context loader
        // when they initialise: that must not first happen in a read, under the allow-list loader, or they stay
        // broken for the life of the process. Without java.util opened to them they cannot initialise at all; a
        // payload with a view then fails as a SERIALIZATION_ERROR.
        for (String name : new String[] {"io.protostuff.runtime.PolymorphicCollectionSchema",
                "io.protostuff.runtime.PolymorphicMapSchema"}) {
            try {
                Class.forName(name, true, RpcSerializer.class.getClassLoader());
            } catch (Throwable e) {
                org.slf4j.LoggerFactory.getLogger(RpcSerializer.class).debug("{} unusable: {}", name, e.toString());
            }
        }
    }

    private final DefaultIdStrategy writeStrategy = new DefaultIdStrategy();
    private final DefaultIdStrategy readStrategy = new DefaultIdStrategy();
    private final Schema<PolymorphicValue> polymorphicWrite;
    private final Schema<PolymorphicValue> polymorphicRead;
    private final ClassLoader appLoader;
    private final int maxPayloadBytes;
    private volatile AllowListClassLoader guard;
    private volatile WireTypes types;

    public RpcSerializer(AllowList allowList, int maxPayloadBytes) {
        TimeDelegates.registerAll(writeStrategy);
        TimeDelegates.registerAll(readStrategy);
        this.polymorphicWrite = RuntimeSchema.getSchema(PolymorphicValue.class, writeStrategy);
        this.polymorphicRead = RuntimeSchema.getSchema(PolymorphicValue.class, readStrategy);
        this.appLoader = RpcSerializer.class.getClassLoader();
        this.maxPayloadBytes = maxPayloadBytes;
        this.guard = new AllowListClassLoader(allowList, appLoader);
        this.types = new WireTypes(allowList);
    }

    /** Adds entries (exact names or package prefixes) to the allow-list. */
    public synchronized void allow(Collection<String> entries) {
        AllowList wider = guard.allowList().with(entries);
        types = new WireTypes(wider);
        guard = new AllowListClassLoader(wider, appLoader);
    }

    public AllowList allowList() {
        return guard.allowList();
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /**
     * Makes the records reachable from {@code method}'s generic parameter and result types serializable (see
     * {@link RecordDelegate}); before {@link #schemaFor} for its types.
     */
    public void registerRecords(java.lang.reflect.Method method) {
        java.lang.reflect.Type[] parameters = method.getGenericParameterTypes();
        java.lang.reflect.Type[] all = java.util.Arrays.copyOf(parameters, parameters.length + 1);
        all[parameters.length] = method.getGenericReturnType();
        RecordDelegate.registerReachable(writeStrategy, readStrategy, all);
    }

    /** The schema of values declared with these types; a null type means "unknown" (polymorphic). */
    public ValuesSchema schemaFor(Class<?>... types) {
        RecordDelegate.registerReachable(writeStrategy, readStrategy, types);
        ValueCodec[] codecs = new ValueCodec[types.length];
        for (int i = 0; i < types.length; i++) {
            codecs[i] = ValueCodec.forType(types[i], writeStrategy, readStrategy);
        }
        return new ValuesSchema(codecs, polymorphicWrite, polymorphicRead);
    }

    /** A schema of {@code slots} polymorphic slots (generic calls). */
    public ValuesSchema polymorphicSchema(int slots) {
        return schemaFor(new Class<?>[slots]);
    }

    /**
     * Encodes {@code values} into a new buffer from {@code alloc}, owned by the caller. Fails with INVALID_REQUEST
     * past the payload limit and SERIALIZATION_ERROR if a value cannot be written (whatever protostuff threw, an
     * Error included); an OutOfMemoryError is rethrown.
     */
    public ByteBuf encode(ByteBufAllocator alloc, ValuesSchema schema, Object[] values) {
        ByteBuf buf = alloc.buffer(256, maxPayloadBytes);
        LinkedBuffer scratch = BUFFERS.get();
        try {
            ProtostuffIOUtil.writeTo(new ByteBufOutputStream(buf), values, schema, scratch);
            return buf;
        } catch (IndexOutOfBoundsException e) {
            buf.release();
            throw payloadTooLarge(-1);
        } catch (SluiceException e) {
            buf.release();
            throw e;
        } catch (OutOfMemoryError e) {
            buf.release();
            throw e;
        } catch (Throwable e) {
            buf.release();
            throw new SluiceException(ErrorCode.SERIALIZATION_ERROR, "cannot serialize " + describe(values)
                    + ": " + e, e);
        } finally {
            scratch.clear();
        }
    }

    /**
     * Decodes a payload (not released here) into a new value array. Fails with CLASS_NOT_ALLOWED if the payload
     * names a class outside the allow-list, MALFORMED_PAYLOAD if a length exceeds what the bytes can carry,
     * INVALID_REQUEST past the payload limit or with more values than the schema has slots, SERIALIZATION_ERROR if
     * the bytes do not decode (whatever protostuff threw, an Error included); an OutOfMemoryError is rethrown.
     */
    public Object[] decode(ByteBuf payload, ValuesSchema schema) {
        int size = payload.readableBytes();
        if (size > maxPayloadBytes) {
            throw payloadTooLarge(size);
        }
        Object[] values = schema.newValues();
        if (size == 0) {
            return values;
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(guard);
        try {
            GuardedInput input = new GuardedInput(payload.nioBuffer(), types);
            schema.mergeFrom(input, values);
            input.checkLastTagWas(0);
            return values;
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable e) {
            SluiceException cause = causeOf(e);
            if (cause != null) {
                throw cause;
            }
            throw new SluiceException(ErrorCode.SERIALIZATION_ERROR, "cannot decode a payload of " + size
                    + " bytes: " + e, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    public SluiceException payloadTooLarge(int size) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, "RPC payload " + (size < 0 ? "" : "of " + size
                + " bytes ") + "exceeds the limit of " + maxPayloadBytes
                + " bytes (sluice.rpc.max.payload.bytes): send less per call or raise the limit on both sides");
    }

    private static SluiceException causeOf(Throwable t) {
        Throwable cur = t;
        for (int depth = 0; cur != null && depth < 16; depth++, cur = cur.getCause()) {
            if (cur instanceof SluiceException se) {
                return se;
            }
        }
        return null;
    }

    private static String describe(Object[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(values[i] == null ? "null" : values[i].getClass().getName());
        }
        return sb.append(']').toString();
    }
}
