package io.sluice.remoting.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.util.concurrent.FastThreadLocal;
import io.protostuff.ByteBufferInput;
import io.protostuff.LinkedBuffer;
import io.protostuff.ProtostuffIOUtil;
import io.protostuff.Schema;
import io.protostuff.runtime.RuntimeSchema;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;
import io.sluice.remoting.protocol.ApiKey;
import io.sluice.remoting.protocol.ErrorResponse;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Encodes and decodes protocol messages (the plain {@code @Tag}ged classes of {@code io.sluice.remoting.protocol})
 * with protostuff-runtime. Schemas are built once per class and cached; encoding writes through a per-thread
 * scratch {@link LinkedBuffer} straight into the target {@link ByteBuf}, and decoding reads the buffer's memory in
 * place (no copy of the body).
 *
 * <p>Body format: protostuff's encoding of the message's fields (protobuf wire types, nested messages encoded as
 * groups), as {@code ProtostuffIOUtil} writes it; an empty body is a message with every field at its default.
 * Decoding bytes that are not a valid message of the expected class throws {@link ErrorCode#MALFORMED_FRAME};
 * encoding a message that cannot be serialized throws
 * {@link ErrorCode#SERIALIZATION_ERROR}.
 *
 * <p>Thread-safe: stateless apart from the schema cache and the per-thread scratch buffer.
 */
public final class MessageCodec {
    private static final int SCRATCH_BYTES = 512;

    private static final ClassValue<Schema<?>> SCHEMAS = new ClassValue<>() {
        @Override
        protected Schema<?> computeValue(Class<?> type) {
            return RuntimeSchema.getSchema(type);
        }
    };

    private static final FastThreadLocal<LinkedBuffer> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected LinkedBuffer initialValue() {
            return LinkedBuffer.allocate(SCRATCH_BYTES);
        }
    };

    private MessageCodec() {
    }

    /**
     * Builds the schemas of every protocol message up front (once per JVM; later calls return at once), so that
     * no I/O thread stalls on reflection when it first meets a message class.
     */
    public static void warmUp() {
        WarmUp.DONE.hashCode();
    }

    /** Holder whose class initialisation does the warm-up exactly once. */
    private static final class WarmUp {
        static final Object DONE = run();

        private static Object run() {
            schema(ErrorResponse.class);
            for (ApiKey key : ApiKey.values()) {
                schema(key.requestType());
                schema(key.responseType());
            }
            return Boolean.TRUE;
        }
    }

    /** The cached protostuff schema of {@code type}. */
    @SuppressWarnings("unchecked")
    public static <T> Schema<T> schema(Class<T> type) {
        return (Schema<T>) SCHEMAS.get(type);
    }

    /**
     * Appends the encoding of {@code message} at the writer index of {@code out}; a null message writes nothing
     * (decoded as a message with default fields). Returns the number of bytes written.
     */
    @SuppressWarnings("unchecked")
    public static int encode(Object message, ByteBuf out) {
        if (message == null) {
            return 0;
        }
        int start = out.writerIndex();
        Schema<Object> schema = (Schema<Object>) schema(message.getClass());
        LinkedBuffer scratch = SCRATCH.get();
        try {
            ProtostuffIOUtil.writeTo(new ByteBufOutputStream(out), message, schema, scratch);
        } catch (IOException | RuntimeException e) {
            out.writerIndex(start);
            throw new SluiceException(ErrorCode.SERIALIZATION_ERROR,
                    "cannot encode " + message.getClass().getSimpleName() + ": " + e, e);
        } finally {
            scratch.clear();
        }
        return out.writerIndex() - start;
    }

    /**
     * Decodes a message of class {@code type} from {@code length} bytes of {@code in} at {@code index}, without
     * changing the buffer's indexes. Throws MALFORMED_FRAME if the bytes are not a valid {@code type}.
     */
    public static <T> T decode(Class<T> type, ByteBuf in, int index, int length) {
        Schema<T> schema = schema(type);
        T message = schema.newMessage();
        if (length == 0) {
            return message;
        }
        try {
            ByteBuffer nio = in.nioBufferCount() == 1 ? in.nioBuffer(index, length).slice() : copy(in, index, length);
            ByteBufferInput input = new ByteBufferInput(nio, true);
            schema.mergeFrom(input, message);
            input.checkLastTagWas(0);
            return message;
        } catch (IOException | RuntimeException e) {
            throw new SluiceException(ErrorCode.MALFORMED_FRAME,
                    "body of " + length + " bytes is not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        } catch (StackOverflowError e) {
            // deeply nested (hostile) groups: refuse instead of letting the error escape the I/O thread
            throw new SluiceException(ErrorCode.MALFORMED_FRAME,
                    "body of " + length + " bytes nests too deeply for a " + type.getSimpleName());
        }
    }

    /** Decodes a whole readable region of {@code in} (indexes unchanged). */
    public static <T> T decode(Class<T> type, ByteBuf in) {
        return decode(type, in, in.readerIndex(), in.readableBytes());
    }

    private static ByteBuffer copy(ByteBuf in, int index, int length) {
        ByteBuffer copy = ByteBuffer.allocate(length);
        in.getBytes(index, copy);
        copy.flip();
        return copy;
    }
}
