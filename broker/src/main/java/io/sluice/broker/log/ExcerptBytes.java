package io.sluice.broker.log;

import io.netty.buffer.ByteBuf;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.PointerBytesStore;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Moves batch bytes between Netty buffers and Chronicle excerpts without an intermediate array: a memory copy
 * between the two addresses when the Netty buffer has one (pooled direct buffers do), Netty's own backing array or
 * NIO views otherwise. Also reads the big-endian batch header fields out of an excerpt (Chronicle reads in native
 * order). Stateless; thread-safe.
 */
final class ExcerptBytes {
    private static final boolean NATIVE_BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
    private static final ThreadLocal<PointerBytesStore> POINTERS = ThreadLocal.withInitial(PointerBytesStore::new);

    private ExcerptBytes() {
    }

    /** Appends {@code length} bytes of {@code src} from {@code index} at the excerpt's write position. */
    static void copyIn(ByteBuf src, int index, int length, Bytes<?> dst) {
        long start = dst.writePosition();
        if (src.hasMemoryAddress()) {
            PointerBytesStore pointer = POINTERS.get();
            pointer.set(src.memoryAddress() + index, length);
            dst.write(pointer, 0L, (long) length);
        } else if (src.hasArray()) {
            dst.write(src.array(), src.arrayOffset() + index, length);
        } else {
            for (ByteBuffer nio : src.nioBuffers(index, length)) {
                while (nio.hasRemaining()) {
                    int before = nio.remaining();
                    dst.writeSome(nio);
                    if (nio.remaining() == before) {
                        throw new BufferOverflowException();
                    }
                }
            }
        }
        if (dst.writePosition() - start != length) {
            throw new IllegalStateException("excerpt took " + (dst.writePosition() - start) + " of " + length
                    + " bytes");
        }
    }

    /** Appends {@code length} bytes of the excerpt from absolute {@code position} to {@code dst}. */
    static void copyOut(Bytes<?> src, long position, int length, ByteBuf dst) {
        dst.ensureWritable(length);
        int wi = dst.writerIndex();
        if (dst.hasMemoryAddress()) {
            src.nativeRead(position, dst.memoryAddress() + wi, length);
        } else if (dst.hasArray()) {
            readFully(src, position, dst.array(), dst.arrayOffset() + wi, length);
        } else {
            byte[] chunk = new byte[Math.min(length, 64 * 1024)];
            int done = 0;
            while (done < length) {
                int n = Math.min(chunk.length, length - done);
                readFully(src, position + done, chunk, 0, n);
                dst.setBytes(wi + done, chunk, 0, n);
                done += n;
            }
        }
        dst.writerIndex(wi + length);
    }

    private static void readFully(Bytes<?> src, long position, byte[] dst, int offset, int length) {
        int done = 0;
        while (done < length) {
            long n = src.read(position + done, dst, offset + done, length - done);
            if (n <= 0) {
                throw new IllegalStateException("excerpt ended after " + done + " of " + length + " bytes");
            }
            done += (int) n;
        }
    }

    static long longAt(Bytes<?> b, long position) {
        long v = b.readLong(position);
        return NATIVE_BIG_ENDIAN ? v : Long.reverseBytes(v);
    }

    static int intAt(Bytes<?> b, long position) {
        int v = b.readInt(position);
        return NATIVE_BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }
}
