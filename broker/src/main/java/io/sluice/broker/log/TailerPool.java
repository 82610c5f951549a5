package io.sluice.broker.log;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A small pool of Chronicle tailers over one segment's queue, so that concurrent reads each get their own (tailers
 * are not thread-safe) without creating one per read. A pooled reader remembers the offset its tailer is positioned
 * at, and {@link #borrow(long)} prefers one already positioned where the read starts: a consumer reading on from
 * where it stopped needs no index lookup. At most {@value #MAX_IDLE} idle tailers are kept; extra ones are closed
 * when given back. Thread-safe.
 */
final class TailerPool implements AutoCloseable {
    static final int MAX_IDLE = 4;

    /**
     * A tailer, the base offset of the excerpt it will read next (-1 when unknown) and the bytes of the segment's
     * batches before that excerpt. Used by one thread at a time.
     */
    static final class Reader {
        final ExcerptTailer tailer;
        long nextOffset = -1;
        long bytesBefore;

        Reader(ExcerptTailer tailer) {
            this.tailer = tailer;
        }
    }

    private final SingleChronicleQueue queue;
    private final ArrayDeque<Reader> idle = new ArrayDeque<>(MAX_IDLE);
    private boolean closed;

    TailerPool(SingleChronicleQueue queue) {
        this.queue = queue;
    }

    Reader borrow(long offset) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("segment closed");
            }
            for (Iterator<Reader> it = idle.iterator(); it.hasNext(); ) {
                Reader r = it.next();
                if (r.nextOffset == offset) {
                    it.remove();
                    return r;
                }
            }
            Reader any = idle.pollLast();
            if (any != null) {
                return any;
            }
        }
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        return new Reader(tailer);
    }

    void giveBack(Reader reader) {
        synchronized (this) {
            if (!closed && idle.size() < MAX_IDLE) {
                idle.addLast(reader);
                return;
            }
        }
        reader.tailer.close();
    }

    /** Closes the idle tailers; tailers still borrowed are closed when given back. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            for (Reader r : idle) {
                r.tailer.close();
            }
            idle.clear();
        }
    }
}
