package io.sluice.registry.zk;

import io.protostuff.LinkedBuffer;
import io.protostuff.ProtostuffIOUtil;
import io.protostuff.Schema;
import io.protostuff.runtime.RuntimeSchema;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

/**
 * Encodes the records stored in ZooKeeper nodes: one format byte ({@value #FORMAT_V1}) followed by the protostuff
 * encoding of the record (runtime schema from its {@code @Tag}s). Stateless; thread-safe.
 */
final class Codec {
    static final byte FORMAT_V1 = 1;

    private Codec() {
    }

    @SuppressWarnings("unchecked")
    static <T> byte[] encode(T value) {
        Schema<T> schema = RuntimeSchema.getSchema((Class<T>) value.getClass());
        byte[] body = ProtostuffIOUtil.toByteArray(value, schema, LinkedBuffer.allocate(256));
        byte[] out = new byte[body.length + 1];
        out[0] = FORMAT_V1;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** Decodes the record stored at {@code path}; UNKNOWN naming the path if the bytes are not a record. */
    static <T> T decode(byte[] data, Class<T> type, String path) {
        if (data == null || data.length == 0 || data[0] != FORMAT_V1) {
            throw new SluiceException(ErrorCode.UNKNOWN, "registry node " + path + " holds no Sluice record (format "
                    + (data == null || data.length == 0 ? "missing" : "byte " + data[0]) + ")");
        }
        Schema<T> schema = RuntimeSchema.getSchema(type);
        T value = schema.newMessage();
        try {
            ProtostuffIOUtil.mergeFrom(data, 1, data.length - 1, value, schema);
        } catch (RuntimeException e) {
            throw new SluiceException(ErrorCode.UNKNOWN, "registry node " + path + " holds a corrupt "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        return value;
    }
}
