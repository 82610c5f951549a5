package io.sluice.broker.log;

import java.lang.reflect.Field;
import java.nio.MappedByteBuffer;
import sun.misc.Unsafe;

/**
 * Unmaps a memory-mapped file at once instead of when the garbage collector finds its buffer, so a closed index
 * holds no map and its file can be deleted. Uses {@code Unsafe.invokeCleaner}, the one unmapping call the JDK
 * keeps for mapped buffers (Netty's {@code freeDirectBuffer} refuses them on recent JDKs: "Cannot clean arbitrary
 * ByteBuffer instances").
 */
final class MappedBuffers {
    private static final Unsafe UNSAFE = unsafe();

    private MappedBuffers() {
    }

    /** Unmaps the buffer; it must never be touched again. */
    static void unmap(MappedByteBuffer buffer) {
        UNSAFE.invokeCleaner(buffer);
    }

    private static Unsafe unsafe() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
