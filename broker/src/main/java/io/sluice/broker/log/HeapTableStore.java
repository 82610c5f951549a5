package io.sluice.broker.log;

import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.core.io.AbstractCloseable;
import net.openhft.chronicle.core.values.LongValue;
import net.openhft.chronicle.queue.impl.TableStore;
import net.openhft.chronicle.queue.impl.single.SCQMeta;
import net.openhft.chronicle.queue.impl.table.TableStoreIterator;
import net.openhft.chronicle.wire.WireOut;
import net.openhft.chronicle.wire.WireType;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A Chronicle queue's table store kept on the heap instead of in its memory-mapped {@code metadata.cq4t}, so that an
 * open segment holds one descriptor (its cycle file) rather than two: Chronicle keeps the table store's file open for
 * as long as the queue is, to size the store whenever an appender starts a cycle.
 *
 * <p>What Chronicle keeps there, and why none of it needs the file in a broker: the cycle listing (highest and lowest
 * cycle, a modification count), which a new queue rebuilds by listing its directory, as it does for a new file;
 * the write and append locks, which guard appenders of several processes, where a segment has one appender in one
 * process (its log's append lock); and replication indexes that only Chronicle's enterprise replication uses. The
 * roll cycle Chronicle records in the file's header is recorded by {@link SegmentQueueBuilder} instead. Every queue
 * gets its own store, so two queues on one directory (a segment's and a probe reading a cycle file's end) do not
 * share locks, which no writer of a segment relies on.
 *
 * <p>Thread-safe: values are atomic longs, and {@link #doWithExclusiveLock} runs its code under this store's monitor.
 */
final class HeapTableStore extends AbstractCloseable implements TableStore<SCQMeta> {
    private final File dir;
    private final Map<String, LongValue> values = new ConcurrentHashMap<>();

    /** @param dir the queue's directory, which Chronicle names in its lock messages */
    HeapTableStore(File dir) {
        this.dir = dir;
        singleThreadedCheckDisabled(true);
    }

    @Override
    public LongValue acquireValueFor(CharSequence key, long defaultValue) {
        throwExceptionIfClosed();
        return values.computeIfAbsent(key.toString(), k -> new HeapLongValue(defaultValue));
    }

    @Override
    public synchronized <R> R doWithExclusiveLock(Function<TableStore<SCQMeta>, ? extends R> code) {
        return code.apply(this);
    }

    /** Not kept: the builder that makes this store ({@link SegmentQueueBuilder}) never asks for it. */
    @Override
    public SCQMeta metadata() {
        throw new UnsupportedOperationException("a heap table store keeps no queue metadata: " + dir);
    }

    @Override
    public <A> void forEachKey(A accumulator, TableStoreIterator<A> tsIterator) {
        throw new UnsupportedOperationException("a heap table store has no wire values to iterate: " + dir);
    }

    @Override
    public File file() {
        return dir;
    }

    @Override
    public MappedBytes bytes() {
        throw new UnsupportedOperationException("a heap table store is not mapped: " + dir);
    }

    @Override
    public String dump(WireType wireType) {
        StringBuilder sb = new StringBuilder("heap table store of ").append(dir);
        new TreeMap<>(values).forEach((k, v) -> sb.append('\n').append(k).append(": ").append(v.getVolatileValue()));
        return sb.toString();
    }

    @Override
    public void writeMarshallable(WireOut wire) {
        new TreeMap<>(values).forEach((k, v) -> wire.write(k).int64(v.getVolatileValue()));
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    @Override
    protected void performClose() {
        values.clear();
    }

    /** A long value of the store: an atomic long, with Chronicle's names. */
    private static final class HeapLongValue implements LongValue {
        private final AtomicLong value;

        HeapLongValue(long initial) {
            value = new AtomicLong(initial);
        }

        @Override
        public long getValue() {
            return value.get();
        }

        @Override
        public void setValue(long v) {
            value.set(v);
        }

        @Override
        public long getVolatileValue() {
            return value.get();
        }

        @Override
        public void setVolatileValue(long v) {
            value.set(v);
        }

        @Override
        public long getVolatileValue(long closedValue) {
            return value.get();
        }

        @Override
        public void setOrderedValue(long v) {
            value.lazySet(v);
        }

        @Override
        public long addValue(long delta) {
            return value.addAndGet(delta);
        }

        @Override
        public long addAtomicValue(long delta) {
            return value.addAndGet(delta);
        }

        @Override
        public boolean compareAndSwapValue(long expected, long v) {
            return value.compareAndSet(expected, v);
        }

        @Override
        public String toString() {
            return Long.toString(value.get());
        }
    }
}
