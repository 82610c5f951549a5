package io.sluice.client.internals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.remoting.ErrorCode;
import io.sluice.remoting.SluiceException;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds the bytes a producer holds in batch buffers. {@link #allocate} takes a buffer of exactly the requested
 * capacity from a Netty allocator (pooled, direct) once that many bytes of the budget are free, waiting in FIFO
 * order up to a deadline, then failing with {@code BUFFER_EXHAUSTED}; {@link #deallocate} releases the buffer and
 * returns its bytes to the budget. Thread-safe.
 */
final class BufferPool {
    private final long totalBytes;
    private final ByteBufAllocator allocator;
    private final Runnable onWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Condition> waiters = new ArrayDeque<>();
    private long availableBytes;
    private volatile int waiting;
    private boolean closed;

    /** {@code onWait} (may be null) runs when a thread starts waiting for space, e.g. to wake the sender. */
    public BufferPool(long totalBytes, ByteBufAllocator allocator, Runnable onWait) {
        this.onWait = onWait;
        this.totalBytes = totalBytes;
        this.availableBytes = totalBytes;
        this.allocator = allocator;
    }

    /**
     * A buffer with capacity (and maximum capacity) {@code size}. Blocks up to {@code maxBlockNs} for budget (0: fail
     * at once). Throws {@code BUFFER_EXHAUSTED} when the budget stays short, {@code RECORD_TOO_LARGE} when
     * {@code size} exceeds the whole budget, {@code CLIENT_CLOSED} after {@link #close()}.
     */
    public ByteBuf allocate(int size, long maxBlockNs) {
        if (size > totalBytes) {
            throw new SluiceException(ErrorCode.RECORD_TOO_LARGE, "a batch of " + size
                    + " bytes does not fit in the producer's buffer memory of " + totalBytes + " bytes");
        }
        reserve(size, maxBlockNs);
        try {
            return allocator.directBuffer(size, size);
        } catch (RuntimeException | Error e) {
            unreserve(size);
            throw e;
        }
    }

    private void reserve(int size, long maxBlockNs) {
        lock.lock();
        try {
            checkOpen();
            if (waiters.isEmpty() && availableBytes >= size) {
                availableBytes -= size;
                return;
            }
            if (maxBlockNs <= 0) {
                throw exhausted(size, 0);
            }
            Condition turn = lock.newCondition();
            waiters.addLast(turn);
            waiting = waiters.size();
            if (onWait != null) {
                onWait.run();
            }
            long remaining = maxBlockNs;
            try {
                while (true) {
                    checkOpen();
                    if (waiters.peekFirst() == turn && availableBytes >= size) {
                        availableBytes -= size;
                        return;
                    }
                    if (remaining <= 0) {
                        throw exhausted(size, maxBlockNs);
                    }
                    try {
                        remaining = turn.awaitNanos(remaining);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SluiceException(ErrorCode.BUFFER_EXHAUSTED, "interrupted while waiting for "
                                + size + " bytes of buffer memory");
                    }
                }
            } finally {
                waiters.remove(turn);
                waiting = waiters.size();
                Condition next = waiters.peekFirst();
                if (next != null) {
                    next.signal();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private SluiceException exhausted(int size, long waitedNs) {
        return new SluiceException(ErrorCode.BUFFER_EXHAUSTED, "producer buffer memory (" + totalBytes
                + " bytes) is full: " + size + " bytes not available after " + TimeUnit.NANOSECONDS.toMillis(waitedNs)
                + " ms; records are produced faster than the brokers accept them (raise buffer.memory or "
                + "max.block.ms, or slow down)");
    }

    private void checkOpen() {
        if (closed) {
            throw new SluiceException(ErrorCode.CLIENT_CLOSED, "producer is closed");
        }
    }

    /** Releases {@code buffer} (allocated with {@code size}) and returns its bytes to the budget. */
    public void deallocate(ByteBuf buffer, int size) {
        try {
            buffer.release();
        } finally {
            unreserve(size);
        }
    }

    private void unreserve(int size) {
        lock.lock();
        try {
            availableBytes += size;
            Condition next = waiters.peekFirst();
            if (next != null) {
                next.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** True while some thread waits for budget; the sender then sends batches without waiting for linger. */
    public boolean hasWaiters() {
        return waiting > 0;
    }

    public long availableBytes() {
        lock.lock();
        try {
            return availableBytes;
        } finally {
            lock.unlock();
        }
    }

    public long totalBytes() {
        return totalBytes;
    }

    /** Fails current and future waiters with {@code CLIENT_CLOSED}. Deallocation keeps working. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            for (Condition c : waiters) {
                c.signal();
            }
        } finally {
            lock.unlock();
        }
    }
}
